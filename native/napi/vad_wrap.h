// NativeVad: the JS handle of a loaded Silero VAD model (shared with running workers, so a
// handle released mid-call cannot free weights in use), and loadVad() that makes one.
#pragma once

#include <napi.h>

#include <memory>

#include "vad/silero_vad_model.h"

namespace amanuensis {

class vad_wrap : public Napi::ObjectWrap<vad_wrap> {
public:
    static Napi::Function define(Napi::Env env);
    static Napi::Object wrap(Napi::Env env, std::shared_ptr<const silero_vad_model> model);

    explicit vad_wrap(const Napi::CallbackInfo & info);

private:
    // probabilities(samples: Float32Array, { threads, state?: Float32Array(320), framing?: 'silero' | 'whisper.cpp', abort? })
    //   -> Promise<{ probabilities: Float32Array (one per 512 samples, the last partial frame zero-padded), state: Float32Array(320) }>
    // state: h (128), c (128), then the 64 context samples; zeros (a new stream) when omitted.
    Napi::Value probabilities(const Napi::CallbackInfo & info);
    // info() -> { version: [major, minor, patch], legacyStftShape, threads, kernels }
    Napi::Value info(const Napi::CallbackInfo & info);
    // createAbortFlag() -> NativeAbortFlag, for the `abort` option
    Napi::Value create_abort_flag(const Napi::CallbackInfo & info);
    // release(): drops this handle's hold on the weights (freed when no call uses them); later calls throw ERR_CLOSED.
    Napi::Value release(const Napi::CallbackInfo & info);
    const std::shared_ptr<const silero_vad_model> & model(Napi::Env env) const;

    std::shared_ptr<const silero_vad_model> model_;
};

// loadVad(file: Uint8Array | path, { threads, simd?, avx512? }) -> Promise<NativeVad>
Napi::Value load_vad(const Napi::CallbackInfo & info);

} // namespace amanuensis

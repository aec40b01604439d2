// NativeModel: the JS handle of a loaded whisper_model (shared with running workers, so a
// handle collected mid-operation cannot free weights in use).
#pragma once

#include <napi.h>

#include <memory>

#include "core/whisper_model.h"

namespace amanuensis {

class model_wrap : public Napi::ObjectWrap<model_wrap> {
public:
    static Napi::Function define(Napi::Env env);
    static Napi::Object wrap(Napi::Env env, std::shared_ptr<whisper_model> model);
    // Throws ERR_INVALID_ARGUMENT unless v is a NativeModel.
    static std::shared_ptr<whisper_model> unwrap(const Napi::Value & v);

    explicit model_wrap(const Napi::CallbackInfo & info);

private:
    // encode(mel, { nMels, nFrames, threads, profile?, layers?, out? }) -> Promise<{ features, timings?, layers? }>
    Napi::Value encode(const Napi::CallbackInfo & info);
    // createDecoder({ nSeq }) -> NativeDecoder
    Napi::Value create_decoder(const Napi::CallbackInfo & info);
    Napi::Value info(const Napi::CallbackInfo & info);
    // createAbortFlag() -> NativeAbortFlag, for encode's `abort` option
    Napi::Value create_abort_flag(const Napi::CallbackInfo & info);
    // release(): drops this handle's hold on the weights; they are freed when no running call
    // (encode, log-mel, a decoder) uses them. Later calls throw ERR_CLOSED.
    Napi::Value release(const Napi::CallbackInfo & info);
    // The model, or ERR_CLOSED after release().
    const std::shared_ptr<whisper_model> & model(Napi::Env env) const;

    std::shared_ptr<whisper_model> model_;
};

// loadModel(file: Buffer | path, { hparams: Int32Array (file order), tensors, threads, simd?, avx512? }) -> Promise<NativeModel>
Napi::Value load_model(const Napi::CallbackInfo & info);

// logMel(model, samples, { padding, filters, nMels, threads }) -> Promise<Float32Array [nMels, nFrames]>
Napi::Value log_mel(const Napi::CallbackInfo & info);

// logMelRange(model, slice, { offset, totalSamples, padding, firstFrame, frames, filters, nMels, threads,
//   logMax?, maxOnly? }) -> Promise<{ logMax, data? [nMels, frames] }>: frames of a long signal from a slice of it
Napi::Value log_mel_range_js(const Napi::CallbackInfo & info);

} // namespace amanuensis

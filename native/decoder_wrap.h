// NativeDecoder: the JS handle of a decoder_state (self-attention caches of n_seq
// sequences and one window's cross-attention keys and values).
#pragma once

#include <napi.h>

#include <memory>

#include "decoder_step.h"

namespace amanuensis {

class decoder_wrap : public Napi::ObjectWrap<decoder_wrap> {
public:
    static Napi::Function define(Napi::Env env);
    static Napi::Object create(Napi::Env env, std::shared_ptr<decoder_state> state);

    explicit decoder_wrap(const Napi::CallbackInfo & info);

private:
    Napi::Value set_features(const Napi::CallbackInfo & info);
    Napi::Value step(const Napi::CallbackInfo & info);
    Napi::Value reorder(const Napi::CallbackInfo & info);
    Napi::Value rewind(const Napi::CallbackInfo & info);
    Napi::Value n_past(const Napi::CallbackInfo & info);
    Napi::Value release(const Napi::CallbackInfo & info);

    // Marks the state busy for one operation; throws ERR_DECODER_BUSY if it already is.
    void claim();

    std::shared_ptr<decoder_state> state_;
};

} // namespace amanuensis

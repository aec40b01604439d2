// What the addon keeps per Node.js environment (the main thread and each worker thread
// load their own copy): the constructors of the wrapped classes and the JS error class.
// Owned by the environment through SetInstanceData, so a worker's teardown frees its own
// and never touches another environment's (process-wide statics did, and crashed).
#pragma once

#include <napi.h>

namespace amanuensis {

struct addon_data {
    Napi::FunctionReference model_ctor;          // NativeModel
    Napi::FunctionReference decoder_ctor;        // NativeDecoder
    Napi::FunctionReference xdna2_encoder_ctor;  // NativeXdna2Encoder
    Napi::FunctionReference abort_flag_ctor;     // NativeAbortFlag
    Napi::FunctionReference vad_ctor;            // NativeVad
    Napi::FunctionReference error_class;         // AmanuensisError, once initialize() has run

    static addon_data & of(Napi::Env env) { return *env.GetInstanceData<addon_data>(); }
};

} // namespace amanuensis

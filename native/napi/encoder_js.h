// What both encoders' JS wrappers (CPU and XDNA2) exchange with JS: encode()'s arguments and
// the parts of its result.
#pragma once

#include <napi.h>

#include <vector>

#include "core/cpu_encoder.h"
#include "napi/abort_flag.h"
#include "napi/args.h"

namespace amanuensis {

// encode(mel, { nMels, nFrames, threads, profile?, layers?, out?, abort? }), the mel window copied
// into native memory.
struct encode_input {
    float_copy mel;               // [n_mels, n_frames]
    int n_mels = 0;
    int n_frames = 0;
    int n_threads = 0;
    bool profile = false;         // per-stage times
    bool layers = false;          // the residual stream after each block
    Napi::ObjectReference out;    // the caller's features array, or empty for a new one
    std::shared_ptr<std::atomic<bool>> abort;  // raised by the caller's AbortSignal, or null
};

// Reads and checks encode()'s arguments; n_out is the length of the features. Throws ERR_INVALID_ARGUMENT.
inline encode_input read_encode_input(const Napi::CallbackInfo & info, size_t n_out) {
    const Napi::Object o = options_arg(info, 1, "encode(mel, { nMels, nFrames, threads, profile?, layers?, out? })");
    encode_input in;
    in.mel = copy_floats(info[0], "mel");
    in.n_mels = int_field(o, "nMels", 1, 1024);
    in.n_frames = int_field(o, "nFrames", 1, 1 << 20);
    in.n_threads = int_field(o, "threads", 1, 256);
    in.profile = bool_field(o, "profile", false);
    in.layers = bool_field(o, "layers", false);
    if (in.mel.size() != static_cast<size_t>(in.n_mels) * in.n_frames) {
        invalid_argument(info.Env(), "mel has " + std::to_string(in.mel.size()) + " values, expected nMels * nFrames");
    }
    in.out = output_array(o.Get("out"), n_out, "out");
    in.abort = abort_flag_wrap::unwrap(o.Get("abort"));
    return in;
}

// { convMs, layerMs: number[], lnPostMs }
inline Napi::Object encoder_timings_to_js(Napi::Env env, const encoder_timings & t) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("convMs", t.conv_ms);
    Napi::Array layers = Napi::Array::New(env, t.layer_ms.size());
    for (size_t i = 0; i < t.layer_ms.size(); ++i) {
        layers.Set(static_cast<uint32_t>(i), t.layer_ms[i]);
    }
    o.Set("layerMs", layers);
    o.Set("lnPostMs", t.ln_post_ms);
    return o;
}

// The residual stream after each block, as Float32Array[].
inline Napi::Array layer_outputs_to_js(Napi::Env env, const std::vector<std::vector<float>> & layers) {
    Napi::Array out = Napi::Array::New(env, layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        out.Set(static_cast<uint32_t>(i), to_js(env, layers[i].data(), layers[i].size()));
    }
    return out;
}

} // namespace amanuensis

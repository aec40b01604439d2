// The parts of an encode result that both encoder workers (CPU and XDNA2) hand to JS.
#pragma once

#include <napi.h>

#include <vector>

#include "cpu_encoder.h"
#include "napi_worker.h"

namespace amanuensis {

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

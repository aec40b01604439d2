// Export table of the amanuensis native module. Everything heavy runs in AsyncWorkers.
#include <napi.h>

#include "decoder_wrap.h"
#include "kernels/cpu_features.h"
#include "model_wrap.h"

namespace amanuensis {

namespace {

Napi::Value cpu_info(const Napi::CallbackInfo & info) {
    const cpu_features f = detect_cpu_features();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("avx2", f.avx2);
    o.Set("fma", f.fma);
    o.Set("f16c", f.f16c);
    o.Set("simdKernels", simd_kernels_supported());
    return o;
}

} // namespace

} // namespace amanuensis

static Napi::Object init_amanuensis(Napi::Env env, Napi::Object exports) {
    using namespace amanuensis;
    exports.Set("NativeModel", model_wrap::define(env));
    exports.Set("NativeDecoder", decoder_wrap::define(env));
    exports.Set("loadModel", Napi::Function::New(env, load_model, "loadModel"));
    exports.Set("cpuInfo", Napi::Function::New(env, cpu_info, "cpuInfo"));
    return exports;
}

NODE_API_MODULE(amanuensis, init_amanuensis)

// Export table of the amanuensis native module: what each name does lives in its own file.
// Every export is created per environment (main thread, each worker thread) with its own
// addon_data.
#include <napi.h>

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

#include "kernels/cpu_features.h"
#include "napi/abort_flag.h"
#include "napi/addon_data.h"
#include "napi/bench_js.h"
#include "napi/decode_loop_js.h"
#include "napi/decoder_wrap.h"
#include "napi/js_error.h"
#include "napi/linear_js.h"
#include "napi/model_wrap.h"
#include "napi/vad_wrap.h"
#include "napi/xdna2_wrap.h"

namespace amanuensis {

namespace {

// cpuInfo() -> the CPU features detected at run time
Napi::Value cpu_info(const Napi::CallbackInfo & info) {
    const cpu_features f = detect_cpu_features();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("avx2", f.avx2);
    o.Set("fma", f.fma);
    o.Set("f16c", f.f16c);
    o.Set("avx512f", f.avx512f);
    o.Set("avx512vnni", f.avx512vnni && f.avx512bw && f.avx512vl);
    o.Set("simdKernels", simd_kernels_supported());
    o.Set("avx512Kernels", avx512_kernels_supported());
    o.Set("int8Kernels", int8_kernels_supported());
    return o;
}

void export_function(Napi::Env env, Napi::Object exports, const char * name, Napi::Function::Callback fn) {
    exports.Set(name, Napi::Function::New(env, fn, name));
}

// Keeps this library mapped until the process ends. Node unloads an addon when the last
// environment that loaded it goes away (a worker thread that exits or is terminated), but the
// process-wide thread pool's helper threads run this library's code for as long as a model
// anywhere holds the pool: unmapping it under them crashed the process.
void pin_library() {
#if !defined(_WIN32)
    Dl_info self{};
    if (dladdr(reinterpret_cast<void *>(&pin_library), &self) != 0 && self.dli_fname != nullptr) {
        dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    }
#endif
}

} // namespace

} // namespace amanuensis

static Napi::Object init_amanuensis(Napi::Env env, Napi::Object exports) {
    using namespace amanuensis;
    pin_library();
    env.SetInstanceData(new addon_data());
    export_function(env, exports, "initialize", initialize);
    exports.Set("NativeModel", model_wrap::define(env));
    exports.Set("NativeDecoder", decoder_wrap::define(env));
    abort_flag_wrap::define(env);  // made by NativeModel.createAbortFlag(), not exported
    export_function(env, exports, "loadModel", load_model);
    exports.Set("NativeVad", vad_wrap::define(env));
    export_function(env, exports, "loadVad", load_vad);
    export_function(env, exports, "stepDecoders", decoder_wrap::step_batch);
    export_function(env, exports, "decodeSchedulerStats", decode_scheduler_stats_js);
    export_function(env, exports, "logMel", log_mel);
    export_function(env, exports, "logMelRange", log_mel_range_js);
    export_function(env, exports, "cpuInfo", cpu_info);
    export_function(env, exports, "benchFmaPeak", bench_fma_peak);
    export_function(env, exports, "benchLinear", bench_linear);
    export_function(env, exports, "linearProduct", linear_product);
    export_function(env, exports, "benchReadBandwidth", bench_read_bandwidth);
    export_function(env, exports, "benchDecoderSteps", bench_decoder_steps);
    define_xdna2(env, exports);
    return exports;
}

NODE_API_MODULE(amanuensis, init_amanuensis)

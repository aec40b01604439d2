// Export table of the amanuensis native module. Everything heavy runs in AsyncWorkers.
#include <napi.h>

#include "bench/fma_peak.h"
#include "decoder_wrap.h"
#include "napi_worker.h"
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

class fma_peak_worker : public promise_worker {
public:
    fma_peak_worker(Napi::Env env, int n_threads, double seconds) : promise_worker(env), n_threads_(n_threads), seconds_(seconds) {}

protected:
    void run() override { gflops_ = measure_fma_peak_gflops(n_threads_, seconds_); }
    Napi::Value result(Napi::Env env) override { return Napi::Number::New(env, gflops_); }

private:
    int n_threads_;
    double seconds_;
    double gflops_ = 0;
};

// benchFmaPeak(threads, seconds) -> Promise<GFLOP/s>
Napi::Value bench_fma_peak(const Napi::CallbackInfo & info) {
    const int n_threads = int_arg(info[0], "threads", 1, 256);
    const double seconds = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0.5;
    if (!(seconds > 0 && seconds <= 60)) {
        throw make_error(info.Env(), "ERR_INVALID_ARGUMENT", "seconds must be in (0, 60]");
    }
    auto * worker = new fma_peak_worker(info.Env(), n_threads, seconds);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

} // namespace

} // namespace amanuensis

static Napi::Object init_amanuensis(Napi::Env env, Napi::Object exports) {
    using namespace amanuensis;
    exports.Set("NativeModel", model_wrap::define(env));
    exports.Set("NativeDecoder", decoder_wrap::define(env));
    exports.Set("loadModel", Napi::Function::New(env, load_model, "loadModel"));
    exports.Set("cpuInfo", Napi::Function::New(env, cpu_info, "cpuInfo"));
    exports.Set("benchFmaPeak", Napi::Function::New(env, bench_fma_peak, "benchFmaPeak"));
    exports.Set("logMel", Napi::Function::New(env, log_mel, "logMel"));
    return exports;
}

NODE_API_MODULE(amanuensis, init_amanuensis)

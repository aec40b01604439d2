// Export table of the amanuensis native module. Everything heavy runs in AsyncWorkers.
#include <napi.h>

#include <functional>

#include "bench/fma_peak.h"
#include "bench/kernel_bench.h"
#include "decoder_wrap.h"
#include "napi_worker.h"
#include "kernels/cpu_features.h"
#include "model_wrap.h"
#include "xdna2_wrap.h"

namespace amanuensis {

namespace {

Napi::Value cpu_info(const Napi::CallbackInfo & info) {
    const cpu_features f = detect_cpu_features();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("avx2", f.avx2);
    o.Set("fma", f.fma);
    o.Set("f16c", f.f16c);
    o.Set("avx512f", f.avx512f);
    o.Set("simdKernels", simd_kernels_supported());
    o.Set("avx512Kernels", avx512_kernels_supported());
    return o;
}

// Runs one benchmark function off the main thread and resolves with the number it returns.
class kernel_bench_worker : public promise_worker {
public:
    kernel_bench_worker(Napi::Env env, std::function<double()> fn) : promise_worker(env), fn_(std::move(fn)) {}

protected:
    void run() override { value_ = fn_(); }
    Napi::Value result(Napi::Env env) override { return Napi::Number::New(env, value_); }

private:
    std::function<double()> fn_;
    double value_ = 0;
};

Napi::Value queue_bench(Napi::Env env, std::function<double()> fn) {
    auto * worker = new kernel_bench_worker(env, std::move(fn));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

// benchLinear(M, N, K, f16, threads, runs, avx512 = true) -> Promise<median ms>
Napi::Value bench_linear(const Napi::CallbackInfo & info) {
    const int M = int_arg(info[0], "M", 1, 1 << 16);
    const int N = int_arg(info[1], "N", 1, 1 << 17);
    const int K = int_arg(info[2], "K", 1, 1 << 16);
    const bool f16 = info[3].ToBoolean().Value();
    const int threads = int_arg(info[4], "threads", 1, 256);
    const int runs = int_arg(info[5], "runs", 1, 1000);
    const bool avx512 = info.Length() > 6 ? info[6].ToBoolean().Value() : true;
    return queue_bench(info.Env(), [=] { return bench_linear_ms(M, N, K, f16, threads, runs, avx512); });
}

// benchReadBandwidth(threads, megabytes) -> Promise<GB/s>
Napi::Value bench_read_bandwidth(const Napi::CallbackInfo & info) {
    const int threads = int_arg(info[0], "threads", 1, 256);
    const int megabytes = int_arg(info[1], "megabytes", 1, 8192);
    return queue_bench(info.Env(), [=] { return bench_read_bandwidth_gbs(threads, megabytes); });
}

// benchFmaPeak(threads, seconds, avx512 = true) -> Promise<GFLOP/s>
Napi::Value bench_fma_peak(const Napi::CallbackInfo & info) {
    const int n_threads = int_arg(info[0], "threads", 1, 256);
    const double seconds = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0.5;
    if (!(seconds > 0 && seconds <= 60)) {
        throw make_error(info.Env(), "ERR_INVALID_ARGUMENT", "seconds must be in (0, 60]");
    }
    const bool avx512 = info.Length() > 2 ? info[2].ToBoolean().Value() : true;
    return queue_bench(info.Env(), [=] { return measure_fma_peak_gflops(n_threads, seconds, avx512); });
}

} // namespace

} // namespace amanuensis

static Napi::Object init_amanuensis(Napi::Env env, Napi::Object exports) {
    using namespace amanuensis;
    exports.Set("NativeModel", model_wrap::define(env));
    exports.Set("NativeDecoder", decoder_wrap::define(env));
    exports.Set("stepDecoders", Napi::Function::New(env, decoder_wrap::step_batch, "stepDecoders"));
    exports.Set("loadModel", Napi::Function::New(env, load_model, "loadModel"));
    exports.Set("cpuInfo", Napi::Function::New(env, cpu_info, "cpuInfo"));
    exports.Set("benchFmaPeak", Napi::Function::New(env, bench_fma_peak, "benchFmaPeak"));
    exports.Set("logMel", Napi::Function::New(env, log_mel, "logMel"));
    exports.Set("benchLinear", Napi::Function::New(env, bench_linear, "benchLinear"));
    exports.Set("benchReadBandwidth", Napi::Function::New(env, bench_read_bandwidth, "benchReadBandwidth"));
    define_xdna2(env, exports);
    return exports;
}

NODE_API_MODULE(amanuensis, init_amanuensis)

#include "napi/bench_js.h"

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "core/bench/fma_peak.h"
#include "core/bench/kernel_bench.h"
#include "core/decoder_step.h"
#include "napi/args.h"
#include "napi/decoder_wrap.h"
#include "napi/worker.h"

namespace amanuensis {

namespace {

class bench_worker : public promise_worker {
public:
    bench_worker(Napi::Env env, std::function<double()> fn) : promise_worker(env), fn_(std::move(fn)) {}

protected:
    void run() override { value_ = fn_(); }
    Napi::Value result(Napi::Env env) override { return Napi::Number::New(env, value_); }

private:
    std::function<double()> fn_;
    double value_ = 0;
};

} // namespace

Napi::Value bench_linear(const Napi::CallbackInfo & info) {
    const Napi::Object o = options_arg(info, 0, "benchLinear({ m, n, k, f16, threads, runs, avx512? })");
    const int m = int_field(o, "m", 1, 1 << 16);
    const int n = int_field(o, "n", 1, 1 << 17);
    const int k = int_field(o, "k", 1, 1 << 16);
    const bool f16 = bool_field(o, "f16", false);
    const int threads = int_field(o, "threads", 1, 256);
    const int runs = int_field(o, "runs", 1, 1000);
    const bool avx512 = bool_field(o, "avx512", true);
    return queue_worker<bench_worker>(info.Env(), [=] { return bench_linear_ms(m, n, k, f16, threads, runs, avx512); });
}

Napi::Value bench_read_bandwidth(const Napi::CallbackInfo & info) {
    const Napi::Object o = options_arg(info, 0, "benchReadBandwidth({ threads, megabytes })");
    const int threads = int_field(o, "threads", 1, 256);
    const int megabytes = int_field(o, "megabytes", 1, 8192);
    return queue_worker<bench_worker>(info.Env(), [=] { return bench_read_bandwidth_gbs(threads, megabytes); });
}

Napi::Value bench_fma_peak(const Napi::CallbackInfo & info) {
    const Napi::Object o = options_arg(info, 0, "benchFmaPeak({ threads, seconds?, avx512? })");
    const int threads = int_field(o, "threads", 1, 256);
    const double seconds = number_field(o, "seconds", 0.5, 1e-3, 60);
    const bool avx512 = bool_field(o, "avx512", true);
    return queue_worker<bench_worker>(info.Env(), [=] { return measure_fma_peak_gflops(threads, seconds, avx512); });
}

static Napi::Value queue_bench_steps(Napi::Env env, std::shared_ptr<decoder_state> state, int steps, int threads);

Napi::Value bench_decoder_steps(const Napi::CallbackInfo & info) {
    const Napi::Object o = options_arg(info, 0, "benchDecoderSteps({ decoder, steps, threads })");
    const int steps = int_field(o, "steps", 1, 4096);
    const int threads = int_field(o, "threads", 1, 256);
    std::shared_ptr<decoder_state> state = decoder_wrap::claim_state(o.Get("decoder"));
    if (state->n_seq != 1 || !state->has_features || state->n_past + steps > state->model->hparams.n_text_ctx) {
        state->busy.store(false);
        invalid_argument(info.Env(), "benchDecoderSteps needs a one-sequence decoder with its features set and room for `steps` tokens");
    }
    try {
        return queue_bench_steps(info.Env(), state, steps, threads);
    } catch (...) {
        state->busy.store(false);
        throw;
    }
}

static Napi::Value queue_bench_steps(Napi::Env env, std::shared_ptr<decoder_state> state, int steps, int threads) {
    return queue_worker<bench_worker>(env, [state, steps, threads] {
        struct unclaim {
            decoder_state * s;
            ~unclaim() { s->busy.store(false); }
        } guard{state.get()};
        const whisper_model & model = *state->model;
        auto ws = model.decoder_scratch.acquire();
        float * logits = ws->logits.reserve(size_t(model.hparams.n_vocab));
        const int32_t token = 220;
        const int32_t position = 0;
        decoder_step_request r;
        r.state = state.get();
        r.tokens = &token;
        r.n_new = 1;
        r.positions = &position;
        r.n_pos = 1;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < steps; i++) decoder_step_batch(&r, 1, logits, threads, *ws);
        const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - t0;
        return elapsed.count() / steps;
    });
}

} // namespace amanuensis

#include "decoder_worker.h"

#include "napi_worker.h"

namespace amanuensis {

namespace {

class decoder_worker : public promise_worker {
public:
    decoder_worker(Napi::Env env, std::shared_ptr<decoder_state> state) : promise_worker(env), state_(std::move(state)) {}

protected:
    void finished() override { state_->busy.store(false); }
    std::shared_ptr<decoder_state> state_;
};

class set_features_worker : public decoder_worker {
public:
    set_features_worker(Napi::Env env, std::shared_ptr<decoder_state> state, float_copy features, int n_threads)
        : decoder_worker(env, std::move(state)), features_(std::move(features)), n_threads_(n_threads) {}

protected:
    void run() override { decoder_set_features(*state_, features_.data(), n_threads_); }
    Napi::Value result(Napi::Env env) override { return env.Undefined(); }

private:
    float_copy features_;
    int n_threads_;
};

class step_worker : public decoder_worker {
public:
    step_worker(Napi::Env env, std::shared_ptr<decoder_state> state, std::vector<int32_t> tokens, int n_new,
                std::vector<int32_t> positions, int n_threads, Napi::ObjectReference out)
        : decoder_worker(env, std::move(state)), tokens_(std::move(tokens)), n_new_(n_new),
          positions_(std::move(positions)), n_threads_(n_threads), out_(std::move(out)) {}

protected:
    void run() override {
        const int n_vocab = state_->model->hparams.n_vocab;
        logits_.reserve(static_cast<size_t>(state_->n_seq) * positions_.size() * n_vocab);
        decoder_step(*state_, tokens_.data(), n_new_, positions_.data(), static_cast<int>(positions_.size()), logits_.data(),
                     n_threads_);
    }
    Napi::Value result(Napi::Env env) override {
        // into the caller's array when given (reused across steps)
        return deliver(env, out_, logits_.data(), static_cast<size_t>(state_->n_seq) * positions_.size() * state_->model->hparams.n_vocab);
    }

private:
    std::vector<int32_t> tokens_;
    int n_new_;
    std::vector<int32_t> positions_;
    int n_threads_;
    aligned_buffer<float> logits_;
    Napi::ObjectReference out_;
};

} // namespace

Napi::Value queue_set_features(Napi::Env env, std::shared_ptr<decoder_state> state, float_copy features,
                               int n_threads) {
    auto * worker = new set_features_worker(env, std::move(state), std::move(features), n_threads);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

Napi::Value queue_step(Napi::Env env, std::shared_ptr<decoder_state> state, std::vector<int32_t> tokens, int n_new,
                       std::vector<int32_t> positions, int n_threads, Napi::ObjectReference out) {
    auto * worker = new step_worker(env, std::move(state), std::move(tokens), n_new, std::move(positions), n_threads, std::move(out));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

} // namespace amanuensis

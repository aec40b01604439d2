#include "napi/decoder_jobs.h"

#include "napi/args.h"
#include "napi/worker.h"

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
    set_features_worker(Napi::Env env, std::shared_ptr<decoder_state> state, float_copy features, int n_threads,
                        std::vector<int32_t> f32_heads)
        : decoder_worker(env, std::move(state)), features_(std::move(features)), n_threads_(n_threads), f32_heads_(std::move(f32_heads)) {}

protected:
    void run() override {
        decoder_set_features(*state_, features_.data(), n_threads_, f32_heads_.data(), static_cast<int>(f32_heads_.size() / 2));
    }
    Napi::Value result(Napi::Env env) override { return env.Undefined(); }

private:
    float_copy features_;
    int n_threads_;
    std::vector<int32_t> f32_heads_;  // (layer, head) pairs
};

// Steps every job's decoder in one decoder_step_batch. Jobs refused before the run (their
// error already set) or by decoder_step_check settle as errors; the others share the batch.
class step_worker : public promise_worker {
public:
    step_worker(Napi::Env env, std::vector<step_job> jobs, int n_threads, bool single)
        : promise_worker(env), jobs_(std::move(jobs)), n_threads_(n_threads), single_(single) {}

protected:
    void run() override {
        std::vector<decoder_step_request> requests;
        std::vector<step_job *> stepped;
        for (step_job & job : jobs_) {
            if (job.failed()) {
                continue;
            }
            decoder_step_request r;
            r.state = job.state.get();
            r.tokens = job.tokens.data();
            r.n_new = job.n_new;
            r.positions = job.positions.data();
            r.n_pos = static_cast<int>(job.positions.size());
            try {
                decoder_step_check(r);
            } catch (const native_error & e) {
                job.error_code = e.code();
                job.error_message = e.what();
                continue;
            }
            requests.push_back(r);
            stepped.push_back(&job);
        }
        if (requests.empty()) {
            return;
        }
        const int n_vocab = requests[0].state->model->hparams.n_vocab;
        size_t rows = 0;
        for (size_t i = 0; i < requests.size(); ++i) {
            stepped[i]->logits_offset = rows * n_vocab;
            stepped[i]->logits_size = static_cast<size_t>(decoder_step_out_rows(requests[i])) * n_vocab;
            rows += decoder_step_out_rows(requests[i]);
        }
        workspace_ = requests[0].state->model->decoder_scratch.acquire();
        float * logits = workspace_->logits.reserve(rows * n_vocab);
        decoder_step_batch(requests.data(), static_cast<int>(requests.size()), logits, n_threads_, *workspace_);
    }

    Napi::Value result(Napi::Env env) override {
        if (single_) {
            step_job & job = jobs_[0];
            if (job.failed()) {
                throw job.error(env);
            }
            return deliver(env, job.out, workspace_->logits.data() + job.logits_offset, job.logits_size);
        }
        Napi::Array results = Napi::Array::New(env, jobs_.size());
        for (size_t i = 0; i < jobs_.size(); ++i) {
            step_job & job = jobs_[i];
            if (job.failed()) {
                results.Set(i, job.error(env).Value());
                continue;
            }
            try {
                results.Set(i, deliver(env, job.out, workspace_->logits.data() + job.logits_offset, job.logits_size));
            } catch (const Napi::Error & e) {
                results.Set(i, e.Value());  // this entry's output array went away; the others still get theirs
            }
        }
        return results;
    }

    void finished() override {
        workspace_ = {};
        for (step_job & job : jobs_) {
            if (job.claimed) {
                job.state->busy.store(false);
            }
        }
    }

private:
    std::vector<step_job> jobs_;
    int n_threads_;
    bool single_;
    scratch_pool<decoder_workspace>::lease workspace_;  // activations and logits, held until JS has the logits
};

} // namespace

Napi::Value queue_set_features(Napi::Env env, std::shared_ptr<decoder_state> state, float_copy features,
                               int n_threads, std::vector<int32_t> f32_heads) {
    return queue_worker<set_features_worker>(env, std::move(state), std::move(features), n_threads, std::move(f32_heads));
}

Napi::Value queue_step(Napi::Env env, std::vector<step_job> jobs, int n_threads, bool single) {
    return queue_worker<step_worker>(env, std::move(jobs), n_threads, single);
}

} // namespace amanuensis

#include "decode_scheduler.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <new>
#include <thread>

#include "error.h"

namespace amanuensis {

namespace {

class decode_scheduler {
public:
    void submit(std::unique_ptr<decode_job> job) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!started_) {
                // the scheduler lives as long as the process: it is never destroyed, so no
                // exit-time destructor joins (or outlives) a thread that may be mid-step. A thread
                // that cannot start throws here, before the job is queued or anything is marked
                std::thread([this] { run(); }).detach();
                started_ = true;
            }
            pending_.push_back(std::move(job));
        }
        wake_.notify_one();
    }

private:
    void run() {
        std::vector<std::unique_ptr<decode_job>> active;
        for (;;) {
            try {
                {
                    std::unique_lock<std::mutex> lock(mutex_);
                    wake_.wait(lock, [&] { return !pending_.empty() || !active.empty(); });
                    while (!pending_.empty()) {
                        active.push_back(std::move(pending_.front()));
                        pending_.pop_front();
                    }
                }
                step(active);
            } catch (...) {
                // nothing may leave this thread (it would end the process): every running job
                // fails with what went wrong (out of memory, above all) and the thread goes on
                const std::exception_ptr error = std::current_exception();
                for (auto & job : active) {
                    if (job != nullptr) fail(job, error);
                }
                active.clear();
            }
        }
    }

    static void end(std::unique_ptr<decode_job> & job, token_loop_result * result, const std::string & code, const std::string & message) {
        try {
            job->on_done(result, code, message);
        } catch (...) {
        }
        job.reset();
    }

    static void fail(std::unique_ptr<decode_job> & job, const std::exception_ptr & error) {
        try {
            std::rethrow_exception(error);
        } catch (const native_error & e) {
            end(job, nullptr, e.code(), e.what());
        } catch (const std::bad_alloc &) {
            end(job, nullptr, errc::out_of_memory, "out of memory in the native decoder");
        } catch (const std::exception & e) {
            end(job, nullptr, errc::native, e.what());
        } catch (...) {
            end(job, nullptr, errc::native, "an unknown failure in the native decoder");
        }
    }

    // One step of the running jobs of one model (the model of the job at the front; the others
    // take the next turns), at most max_batch_sequences sequences of them.
    void step(std::vector<std::unique_ptr<decode_job>> & active) {
        for (auto & job : active) {
            if (job->aborted()) end(job, nullptr, errc::aborted, "the decode was aborted");
        }
        active.erase(std::remove(active.begin(), active.end(), nullptr), active.end());
        if (active.empty()) return;

        const whisper_model * model = active.front()->state->model.get();
        const int limit = active.front()->max_batch_sequences;
        // pointers into `active`, which does not change size until the batch is over
        std::vector<std::unique_ptr<decode_job> *> batch;
        std::vector<decoder_step_request> requests;
        int sequences = 0;
        int n_threads = 1;
        for (auto & job : active) {
            if (job->state->model.get() != model) continue;
            if (!batch.empty() && sequences + job->state->n_seq > limit) continue;
            job->loop->next_block(job->tokens, job->n_new, job->positions);
            decoder_step_request r;
            r.state = job->state.get();
            r.tokens = job->tokens.data();
            r.n_new = job->n_new;
            r.positions = job->positions.data();
            r.n_pos = int(job->positions.size());
            try {
                decoder_step_check(r);
            } catch (...) {
                fail(job, std::current_exception());
                continue;
            }
            requests.push_back(r);
            batch.push_back(&job);
            sequences += r.state->n_seq;
            n_threads = std::max(n_threads, job->n_threads);
        }
        if (!batch.empty()) {
            batches_.fetch_add(1);
            steps_.fetch_add(batch.size());
            int largest = largest_batch_.load();
            while (int(batch.size()) > largest && !largest_batch_.compare_exchange_weak(largest, int(batch.size()))) {
            }
            run_batch(batch, requests, n_threads);
        }

        // ended jobs leave; the ones served go behind the others, so that jobs of other models
        // (and ones left out by the sequence limit) get the next turns
        std::vector<std::unique_ptr<decode_job>> next;
        std::vector<std::unique_ptr<decode_job>> served;
        for (auto & job : active) {
            if (job == nullptr) continue;
            const bool was_served = std::find(batch.begin(), batch.end(), &job) != batch.end();
            (was_served ? served : next).push_back(std::move(job));
        }
        for (auto & job : served) next.push_back(std::move(job));
        active = std::move(next);
    }

    static void run_batch(const std::vector<std::unique_ptr<decode_job> *> & batch, const std::vector<decoder_step_request> & requests,
                          int n_threads) {
        // the batch's own hold on the model: a job that ends lets JS release its decoder (and
        // the model with it) while the workspace leased from the model is still out
        const std::shared_ptr<whisper_model> model = requests.front().state->model;
        const size_t n_vocab = size_t(model->hparams.n_vocab);
        std::vector<size_t> offsets;
        size_t rows = 0;
        for (const auto & r : requests) {
            offsets.push_back(rows * n_vocab);
            rows += size_t(decoder_step_out_rows(r));
        }
        std::exception_ptr batch_error;
        std::vector<bool> done(batch.size(), false);
        std::vector<std::exception_ptr> errors(batch.size());
        {
            scratch_pool<decoder_workspace>::lease workspace;
            try {
                workspace = model->decoder_scratch.acquire();
                float * logits = workspace->logits.reserve(rows * n_vocab);
                decoder_step_batch(requests.data(), int(requests.size()), logits, n_threads, *workspace);
            } catch (...) {
                batch_error = std::current_exception();
            }
            for (size_t i = 0; i < batch.size() && batch_error == nullptr; i++) {
                decode_job & job = **batch[i];
                try {
                    std::vector<int32_t> source;
                    done[i] = job.loop->consume(workspace->logits.data() + offsets[i], source);
                    if (!source.empty()) {
                        if (int(source.size()) != job.state->n_seq) throw native_error(errc::native, "a beam reorder of another width");
                        decoder_reorder(*job.state, source.data());
                    }
                    if (job.on_step) job.on_step(*job.loop);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            }
        }
        // the jobs that ended are told only now, with the workspace back in its pool
        for (size_t i = 0; i < batch.size(); i++) {
            std::unique_ptr<decode_job> & job = *batch[i];
            if (batch_error != nullptr || errors[i] != nullptr) {
                fail(job, batch_error != nullptr ? batch_error : errors[i]);
            } else if (done[i]) {
                token_loop_result result = job->loop->finish();
                end(job, &result, {}, {});
            }
        }
    }

public:
    decode_scheduler_stats counters() const { return {batches_.load(), steps_.load(), largest_batch_.load()}; }

private:
    std::atomic<uint64_t> batches_{0};
    std::atomic<uint64_t> steps_{0};
    std::atomic<int> largest_batch_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<decode_job>> pending_;
    bool started_ = false;
};

decode_scheduler & scheduler() {
    static decode_scheduler * instance = new decode_scheduler();
    return *instance;
}

} // namespace

decode_scheduler_stats decode_scheduler_counters() {
    return scheduler().counters();
}

void decode_scheduler_submit(std::unique_ptr<decode_job> job) {
    scheduler().submit(std::move(job));
}

} // namespace amanuensis

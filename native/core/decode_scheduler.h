// Runs the token loops of windows (token_loop) on one scheduler thread of the process, with
// continuous batching: at every step, the loops of one model that are running take one
// decoder_step_batch together, so each weight matrix is read once for all of them, and a
// window that arrives joins at the next step instead of waiting for the others to finish.
// The logits never leave native code; each job hears of its steps and of its end through
// callbacks, called on the scheduler thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "decoder_step.h"
#include "token_loop.h"

namespace amanuensis {

struct decode_job {
    std::shared_ptr<decoder_state> state;   // claimed (busy) by the submitter; its features set
    std::unique_ptr<token_loop> loop;
    std::shared_ptr<std::atomic<bool>> abort;   // optional, the caller's: raised, the job ends with ERR_ABORTED before its next step
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);  // the submitter's own stop (its environment went away)
    int n_threads = 1;
    int max_batch_sequences = 64;           // most sequences of the batches this job takes part in
    // After each step (optional).
    std::function<void(const token_loop &)> on_step;
    // Once, at the end: the result, or null and an error code and message. The job (and its
    // hold on the state) is destroyed right after.
    std::function<void(token_loop_result * result, const std::string & code, const std::string & message)> on_done;

    bool aborted() const { return (abort != nullptr && abort->load()) || cancel->load(); }

    // the scheduler's: the block of the running step
    std::vector<int32_t> tokens;
    std::vector<int32_t> positions;
    int n_new = 0;
};

// What the scheduler has done since the process started: batched steps run, job steps served
// (a batch serves one per job in it), and the most jobs one batch served.
struct decode_scheduler_stats {
    uint64_t batches = 0;
    uint64_t steps = 0;
    int largest_batch = 0;
};
decode_scheduler_stats decode_scheduler_counters();

// Hands a job to the scheduler thread (started on first use, shared by every model and
// environment of the process). Never blocks on running work.
void decode_scheduler_submit(std::unique_ptr<decode_job> job);

} // namespace amanuensis

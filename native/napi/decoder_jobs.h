// The decoder's off-thread operations: setting a window's audio features and stepping one or
// several decoders as one batch.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "core/decoder_step.h"
#include "napi/args.h"
#include "napi/js_error.h"

namespace amanuensis {

// Computes the window's cross-attention keys and values (the keys of the (layer, head) pairs
// f32_heads also kept in f32); releases the state's busy flag when it settles.
Napi::Value queue_set_features(Napi::Env env, std::shared_ptr<decoder_state> state, float_copy features,
                               int n_threads, std::vector<int32_t> f32_heads);

// One decoder's part of a step, as handed over by JS.
struct step_job {
    std::shared_ptr<decoder_state> state;
    std::vector<int32_t> tokens;     // [n_seq, n_new]
    int n_new = 0;
    std::vector<int32_t> positions;  // logit positions in the block
    Napi::ObjectReference out;       // the caller's logits array, or empty for a new one
    bool claimed = false;            // holds the state's busy flag
    std::string error_code;          // set when the job is refused: it settles as this error
    std::string error_message;
    size_t logits_offset = 0;        // where its logits sit in the batch output
    size_t logits_size = 0;

    bool failed() const { return !error_code.empty(); }
    Napi::Error error(Napi::Env env) const { return make_error(env, error_code, error_message); }
};

// Steps the jobs together (decoder_step_batch) and releases the busy flags they hold. With
// `single` the promise resolves to the one job's logits or rejects with its error; otherwise
// it resolves to an array holding, per job, its logits (`out` when given) or its Error.
Napi::Value queue_step(Napi::Env env, std::vector<step_job> jobs, int n_threads, bool single);

} // namespace amanuensis

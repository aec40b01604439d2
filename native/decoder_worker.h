#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "decoder_step.h"
#include "napi_worker.h"

namespace amanuensis {

// Both release the state's busy flag when they settle.
Napi::Value queue_set_features(Napi::Env env, std::shared_ptr<decoder_state> state, float_copy features,
                               int n_threads);
// `out`, when not empty, receives the logits and is what the promise resolves to.
Napi::Value queue_step(Napi::Env env, std::shared_ptr<decoder_state> state, std::vector<int32_t> tokens, int n_new,
                       std::vector<int32_t> positions, int n_threads, Napi::ObjectReference out);

} // namespace amanuensis

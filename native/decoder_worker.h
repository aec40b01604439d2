#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "decoder_step.h"

namespace amanuensis {

// Both release the state's busy flag when they settle.
Napi::Value queue_set_features(Napi::Env env, std::shared_ptr<decoder_state> state, std::vector<float> features,
                               int n_threads);
Napi::Value queue_step(Napi::Env env, std::shared_ptr<decoder_state> state, std::vector<int32_t> tokens, int n_new,
                       std::vector<int32_t> positions, int n_threads);

} // namespace amanuensis

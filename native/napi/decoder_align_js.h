// NativeDecoder.align: the teacher-forced alignment pass (core/decoder_align.h) on a worker.
#pragma once

#include <napi.h>

#include <memory>

#include "core/decoder_step.h"

namespace amanuensis {

// align(tokens Int32Array, { features?: Float32Array [nAudioCtx, nAudioState], heads: Int32Array [n, 2], nPositions, textVocabEnd, threads })
//   -> Promise<{ weights: Float32Array [nHeads, nTokens, nPositions], probabilities: Float32Array [nTokens - 1] }>
// Validates the arguments (ERR_INVALID_ARGUMENT, thrown synchronously) and expects the state
// already claimed by the caller; the worker releases the claim when it settles.
Napi::Value queue_align(const Napi::CallbackInfo & info, std::shared_ptr<decoder_state> state);

} // namespace amanuensis

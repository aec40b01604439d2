// NativeDecoder.runLoop(options): one window's whole token loop (token_loop) on the decode
// scheduler, batched with the loops of the model's other windows. JS hears of each step
// (optional onStep) and of the end (the promise) through a thread-safe function; the logits
// never cross into JS.
#pragma once

#include <napi.h>

#include <memory>

#include "core/decoder_step.h"

namespace amanuensis {

// runLoop({ initial, sotIndex, temperature, beamSize, patience, sampleLen, eot, noSpeech,
// noTimestamps, timestampBegin, suppressBlank, blankTokens, suppressTokens, timestamps,
// maxInitialTimestampIndex, requireInitialTimestamp, randomState, threads, maxBatchSequences,
// abort?, onStep? }) -> Promise<{ candidates: Int32Array[], sumLogprobs: Float64Array,
// noSpeechProb, randomState, steps }>. `state` must be claimed (busy) by the caller. Once the
// loop is submitted, its end releases the busy flag (before the promise settles); when this
// throws instead (bad options), nothing was submitted and the caller releases it.
Napi::Value queue_decode_loop(const Napi::CallbackInfo & info, std::shared_ptr<decoder_state> state);

// decodeSchedulerStats() -> { batches, steps, largestBatch }: the process's decode scheduler so far.
Napi::Value decode_scheduler_stats_js(const Napi::CallbackInfo & info);

} // namespace amanuensis

#pragma once

#include <napi.h>

#include <memory>

#include "whisper_model.h"

namespace amanuensis {

// encode(mel: Float32Array [nMels, nFrames], nMels, nFrames, threads, profile, out?: Float32Array)
//   -> Promise<{ features, timings? }>; features is `out` when given
Napi::Value queue_encode(const Napi::CallbackInfo & info, std::shared_ptr<whisper_model> model);

} // namespace amanuensis

// The Whisper audio encoder on the CPU, as openai/whisper model.py AudioEncoder:
// conv1 + GELU, conv2 (stride 2) + GELU, positional embedding, pre-LN residual attention
// blocks, ln_post.
#pragma once

#include <vector>

#include "whisper_model.h"

namespace amanuensis {

struct encoder_timings {
    double conv_ms = 0;
    std::vector<double> layer_ms;
    double ln_post_ms = 0;
};

// mel: log-mel spectrogram [n_mels, n_frames] row-major with n_frames == 2 * n_audio_ctx.
// out: audio features [n_audio_ctx, n_audio_state] row-major.
// Throws native_error on a shape mismatch.
void whisper_cpu_encode(const whisper_model & model, const float * mel, int n_mels, int n_frames, float * out,
                        int n_threads, encoder_timings * timings);

} // namespace amanuensis

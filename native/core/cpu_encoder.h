// The Whisper audio encoder on the CPU, as openai/whisper model.py AudioEncoder:
// conv1 + GELU, conv2 (stride 2) + GELU, positional embedding, pre-LN residual attention
// blocks, ln_post.
#pragma once

#include <atomic>
#include <vector>

#include "kernels/gemm.h"
#include "whisper_model.h"

namespace amanuensis {

struct encoder_timings {
    double conv_ms = 0;
    std::vector<double> layer_ms;
    double ln_post_ms = 0;
};

// Where the attention and MLP projections of the blocks run (the XDNA2 offload implements
// it). Conv stem, layer norms, attention and GELU always run on the CPU kernels.
class encoder_projection {
public:
    virtual ~encoder_projection() = default;
    // C[M, N] = A[M, K] W^T, then ep; W [N, K] is one of the model's encoder block weights.
    virtual void linear(int M, const float * A, int64_t lda, const matrix_view & W, float * C, int64_t ldc,
                        const gemm_epilogue & ep) = 0;
};

struct encode_options {
    int n_threads = 1;
    encoder_projection * projection = nullptr;                 // null: the CPU GEMM
    encoder_timings * timings = nullptr;                       // per-stage times when set
    std::vector<std::vector<float>> * layer_outputs = nullptr;  // residual stream after each block, when set
    encoder_workspace * workspace = nullptr;                   // null: leased from the model for the call
    const std::atomic<bool> * abort = nullptr;                 // raised: stop with ERR_ABORTED at the next layer
};

// mel: log-mel spectrogram [n_mels, n_frames] row-major with n_frames == 2 * n_audio_ctx.
// out: audio features [n_audio_ctx, n_audio_state] row-major.
// Throws native_error on a shape mismatch, ERR_ABORTED when options.abort is raised (checked
// after the conv stem and after each block), ERR_NUMERIC for non-finite features, or what the
// projection throws.
void whisper_encode(const whisper_model & model, const float * mel, int n_mels, int n_frames, float * out,
                    const encode_options & options);

} // namespace amanuensis

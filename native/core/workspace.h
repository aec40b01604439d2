// The scratch buffers of the encoder and of a decoder step, leased from the model's
// scratch_pool for one call. Each buffer grows to the largest size asked of it and stays.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/aligned_buffer.h"
#include "kernels/attention.h"

namespace amanuensis {

// whisper_encode's activations (row-major, time as rows). Buffers whose lifetimes do not
// overlap share memory: `scratch` holds the im2col matrices, then Q/K/V, then the MLP hidden
// layer; `h1` holds the conv1 output, then the attention output.
struct encoder_workspace {
    aligned_buffer<float> scratch;   // max([n_frames, 3 n_mels], [n_ctx, 3 n_state], [n_ctx, 4 n_state])
    aligned_buffer<float> h1;        // [n_frames, n_state]
    aligned_buffer<float> x;         // residual stream [n_ctx, n_state]
    aligned_buffer<float> h;         // layer-normed input [n_ctx, n_state]
    aligned_buffer<float> features;  // the result of an encode worker [n_ctx, n_state], until JS has it
};

// decoder_step_batch's activations for `rows` token rows (all requests of a batch), and the
// cross-attention projection of decoder_set_features.
struct decoder_workspace {
    aligned_buffer<float> x;        // residual stream [rows, n]
    aligned_buffer<float> h;        // normed input [rows, n]
    aligned_buffer<float> qkv;      // [rows, 3n]
    aligned_buffer<float> q;        // cross-attention queries [rows, n]
    aligned_buffer<float> o;        // attention output [rows, n]
    aligned_buffer<float> mlp;      // [rows, 4n]
    aligned_buffer<float> logits;   // a step worker's logits [out rows, n_vocab], until JS has them
    aligned_buffer<float> product;  // one layer's cross-attention K or V in f32 [n_audio_ctx, n]
    std::vector<int> row0;          // first row of each request, and the total
    std::vector<attention_args> self_args;
    std::vector<attention_args> cross_args;
};

} // namespace amanuensis

// Teacher-forced pass for word alignment (openai/whisper timing.py find_alignment): a whole
// token block through the decoder over one window, returning only what the alignment needs:
// the cross-attention weights of the chosen heads and each next token's text probability, so
// neither the full attention nor the vocabulary-wide logits leave the native side.
#pragma once

#include <cstdint>

#include "decoder_step.h"

namespace amanuensis {

struct alignment_request {
    const int32_t * tokens = nullptr;  // [n_tokens]: SOT sequence, <|notimestamps|>, text, <|endoftext|>
    int n_tokens = 0;                  // 2 to n_text_ctx
    const int32_t * heads = nullptr;   // [n_heads, 2]: (layer, head) pairs
    int n_heads = 0;
    int n_positions = 0;               // audio positions of the window (num_frames / 2), 1 to n_audio_ctx
    int text_vocab_end = 0;            // the probabilities' softmax covers ids [0, text_vocab_end) (openai: eot)
    // when matrix is given: the DTW's matrix of rows [matrix_first_row, matrix_last_row) from the
    // weights (alignment_matrix.h), or matrix_ok false where the JavaScript reference must decide
    double * matrix = nullptr;
    int matrix_first_row = 0;
    int matrix_last_row = 0;
    bool * matrix_ok = nullptr;
};

// weights [n_heads, n_tokens, n_positions]: per head and token row, the softmax over the first
// n_positions audio positions of the scaled cross-attention scores.
// probabilities [n_tokens - 1]: row i's softmax over ids below text_vocab_end, at tokens[i + 1]
// (0 where tokens[i + 1] is not below it).
// features [n_audio_ctx, n_audio_state]: the window's audio features, whose cross-attention keys
// and values are computed here (the heads' keys kept in f32) and replace the state's; or null to
// use the state's window, which must keep the f32 keys of every head (decoder_set_features).
// The state must hold one sequence; its self-attention cache is emptied first. Throws native_error (ERR_INVALID_ARGUMENT,
// ERR_CONTEXT_OVERFLOW, ERR_CLOSED, ERR_NUMERIC) and then leaves the outputs undefined.
void decoder_align(decoder_state & st, const float * features, const alignment_request & r, float * weights, float * probabilities,
                   int n_threads);

} // namespace amanuensis

// The Whisper text decoder, one step at a time, as openai/whisper model.py TextDecoder:
// token + positional embedding, causal self-attention over a KV cache, cross-attention over
// the window's audio features (their keys and values computed once per window), an MLP,
// and logits tied to the token embedding.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "whisper_model.h"

namespace amanuensis {

// Self-attention caches for n_seq sequences that advance together (beams, best-of
// candidates), plus the cross-attention keys and values of one window.
struct decoder_state {
    std::shared_ptr<whisper_model> model;
    int n_seq = 0;
    int n_past = 0;                       // positions already in the self-attention cache
    bool has_features = false;
    aligned_buffer<float> self_k;         // [n_layer, n_seq, n_text_ctx, n_text_state]
    aligned_buffer<float> self_v;         // same shape
    aligned_buffer<float> cross_k;        // [n_layer, n_audio_ctx, n_text_state]
    aligned_buffer<float> cross_v;        // same shape
    std::atomic<bool> busy{false};        // one operation at a time
    bool released = false;                // caches freed by decoder_release
};

std::unique_ptr<decoder_state> decoder_state_create(std::shared_ptr<whisper_model> model, int n_seq);

// features: [n_audio_ctx, n_audio_state]. Computes every layer's cross-attention K and V and
// empties the self-attention cache.
void decoder_set_features(decoder_state & st, const float * features, int n_threads);

// Appends n_new tokens to every sequence (tokens [n_seq, n_new]) and writes the logits of
// the given positions (0 <= p < n_new) of each sequence: out [n_seq, n_pos, n_vocab].
// Throws native_error when the context would overflow or a token is out of range.
void decoder_step(decoder_state & st, const int32_t * tokens, int n_new, const int32_t * positions, int n_pos,
                  float * out, int n_threads);

// Sequence i takes the cache of sequence source[i] (beam reordering); source [n_seq].
void decoder_reorder(decoder_state & st, const int32_t * source);

// Forgets the self-attention cache (keeps the window's cross-attention K/V).
void decoder_rewind(decoder_state & st);

// Frees every cache; the state can no longer be used.
void decoder_release(decoder_state & st);

} // namespace amanuensis

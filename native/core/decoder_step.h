// The Whisper text decoder, one step at a time, as openai/whisper model.py TextDecoder:
// token + positional embedding, causal self-attention over a KV cache, cross-attention over
// the window's audio features (their keys and values computed once per window), an MLP,
// and logits tied to the token embedding.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "whisper_model.h"

namespace amanuensis {

// One window's cross-attention keys and values. Several states of one window share it (the
// window's decodes at each temperature and its word alignment), so they are computed once.
struct cross_cache {
    // f16, as whisper.cpp keeps them: half the memory and half the traffic of a step's attention
    // (the cross-attention of a window is 9 MB instead of 18 for tiny)
    // [n_layer, n_text_head, n_audio_ctx, d_head]: head-major, so that a step reads each head's
    // keys and values as one contiguous block (row-major [n_audio_ctx, n_text_state] made every
    // head stride across the whole row; at d 1280 that is 128 bytes used of every 2560)
    aligned_buffer<uint16_t> k;
    aligned_buffer<uint16_t> v;  // same shape
    // f32 copies of chosen heads' keys, kept for word alignment when asked: openai's attention
    // weights are float32 to ~1e-5, and weights computed from f16 keys move the alignment matrix
    // by ~1e-3. Only the captured heads' weights need them: the pass's own cross-attention reads
    // the f16 cache as a decode step does (on the golden cases that moves the matrix and the
    // probabilities by under 1e-5, against tolerances of 1e-4 and 1e-3), so a window with word timestamps
    // writes and the pass reads a few heads' keys, not every layer's.
    std::vector<int32_t> f32_heads;  // (layer, head) pairs, in k32's order
    aligned_buffer<float> k32;       // [f32_heads.size() / 2, n_audio_ctx, d_head]

    // The kept f32 keys of (layer, head) [n_audio_ctx, d_head], or nullptr.
    const float * f32_keys(const whisper_hparams & hp, int layer, int head) const;
};

// The window caches a model keeps for its next windows (whisper_model::cross_caches): at most
// one released cache, reused by the next decoder_set_features instead of mapping its megabytes
// afresh, whose page faults and zeroing cost 1 to 9 ms a window for tiny on these VMs (and scale
// with the model: large-v3's window is 250 MB). One is what a stream of windows needs: each
// window's decoders share a cache and release it before the next window is set.
struct cross_cache_pool {
    std::mutex mutex;
    std::unique_ptr<cross_cache> idle;
};

// Self-attention caches for n_seq sequences that advance together (beams, best-of
// candidates), plus the cross-attention keys and values of one window.
struct decoder_state {
    std::shared_ptr<whisper_model> model;
    int n_seq = 0;
    int n_past = 0;                       // positions already in the self-attention cache
    bool has_features = false;
    // keys and values in f16, as whisper.cpp keeps them
    aligned_buffer<uint16_t> self_k;      // [n_layer, n_seq, n_text_ctx, n_text_state]
    aligned_buffer<uint16_t> self_v;      // same shape
    // the window's; replaced (never written) while other states share it. Read and replaced with
    // std::atomic_load / atomic_store: a state may share it while another operation runs on this one
    std::shared_ptr<cross_cache> cross;
    aligned_buffer<uint16_t> reorder_scratch;  // [n_seq, n_text_ctx, n_text_state]: one layer during a beam reorder
    std::atomic<bool> busy{false};        // one operation at a time
    bool released = false;                // caches freed by decoder_release
};

std::unique_ptr<decoder_state> decoder_state_create(std::shared_ptr<whisper_model> model, int n_seq);

// features: [n_audio_ctx, n_audio_state]. Computes every layer's cross-attention K and V, keeps
// the keys of the (layer, head) pairs f32_heads [n_f32_heads, 2] in f32 too (for word
// alignment), and empties the self-attention cache. Throws native_error (ERR_INVALID_ARGUMENT:
// a head outside the model).
void decoder_set_features(decoder_state & st, const float * features, int n_threads, const int32_t * f32_heads = nullptr,
                          int n_f32_heads = 0);

// dst takes src's window (its cross-attention keys and values, shared, not copied) and empties
// its self-attention cache. Throws native_error (ERR_INVALID_ARGUMENT: another model, or src has
// no features; ERR_CLOSED).
void decoder_share_features(decoder_state & dst, const decoder_state & src);

// Cross-attention weights a step also returns (word alignment, as openai/whisper timing.py
// find_alignment reads them): for each chosen (layer, head), every row of the block's softmax
// of the scaled scores over the first n_positions audio positions only. One-sequence states only.
// A capturing step from position 0 attends to the block's own keys and values in f32, not to
// their f16 copies in the cache, and to the window's f32 keys and values when they were kept.
struct cross_attention_capture {
    const int32_t * heads = nullptr;  // [n_heads, 2]: (layer, head) pairs, in the order of `out`
    int n_heads = 0;
    int n_positions = 0;              // 1 to n_audio_ctx: the window's audio positions (num_frames / 2)
    float * out = nullptr;            // [n_heads, n_new, n_positions]
};

// One state's part of a step: n_new tokens appended to each of its sequences
// (tokens [n_seq, n_new]) and the logits wanted at positions p (0 <= p < n_new) of the block.
struct decoder_step_request {
    decoder_state * state = nullptr;
    const int32_t * tokens = nullptr;
    int n_new = 0;
    const int32_t * positions = nullptr;
    int n_pos = 0;
    const cross_attention_capture * capture = nullptr;  // optional
};

// Throws native_error (ERR_INVALID_ARGUMENT, ERR_CONTEXT_OVERFLOW, ERR_CLOSED) when the
// request cannot run; touches nothing.
void decoder_step_check(const decoder_step_request & r);

// Logit rows a request produces: n_seq * n_pos.
int decoder_step_out_rows(const decoder_step_request & r);

// Steps several states of one model together (concurrent requests, each with its own window):
// their rows go through every weight product as one matrix, so each weight is read once per
// batch instead of once per state; attention stays per sequence (self) and per state (cross).
// out [sum of out rows, n_logits]: request r's rows [n_seq, n_pos, n_logits] follow request r - 1's,
// each holding the logits of ids [0, n_logits) (0: the whole vocabulary, n_logits = n_vocab); or,
// with n_logits = STEP_HIDDEN_ONLY, the final layer-normed hidden states [out rows, n_text_state]
// that the vocabulary product would take (the caller runs its own: word alignment).
// Checks every request first (decoder_step_check) and that they share one model.
// `ws`: the activations' scratch, leased by the caller from the model's decoder_scratch.
constexpr int STEP_HIDDEN_ONLY = -1;
void decoder_step_batch(const decoder_step_request * requests, int n_requests, float * out, int n_threads,
                        decoder_workspace & ws, int n_logits = 0);

// Sequence i takes the cache of sequence source[i] (beam reordering); source [n_seq]. The
// identity permutation copies nothing.
void decoder_reorder(decoder_state & st, const int32_t * source);

// Frees every cache and drops the state's hold on the model; the state can no longer be used.
void decoder_release(decoder_state & st);

} // namespace amanuensis

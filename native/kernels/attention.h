// Scaled dot-product attention for one sequence and one head over a block of queries,
// computed without materialising the whole [n_q, n_kv] score matrix: the caller splits
// queries into blocks and each block's scores live in a thread-local buffer.
#pragma once

#include <cstdint>

#include "tensor_view.h"

namespace amanuensis {

struct attention_args {
    const float * q = nullptr;   // [n_q, n_head * d_head], row stride ldq
    int64_t ldq = 0;
    const void * k = nullptr;    // [n_kv, n_head * d_head] of kv_type
    int64_t ldk = 0;
    const void * v = nullptr;    // [n_kv, n_head * d_head] of kv_type
    int64_t ldv = 0;
    dtype kv_type = dtype::f32;  // f16 for the decoder's caches, as whisper.cpp keeps them
    // Elements from one head's keys/values to the next: -1 for heads side by side in a row
    // (head h at column h * d_head); a head-major cache [n_head, n_kv, d_head] gives n_kv * d_head
    // (with ldk = ldv = d_head), so that one head's keys are one contiguous block.
    int64_t kv_head_stride = -1;
    float * o = nullptr;         // [n_q, n_head * d_head]
    int64_t ldo = 0;
    int n_q = 0;
    int n_kv = 0;
    int n_head = 0;
    int d_head = 0;
    // -1: every query sees every key. Otherwise query i sees keys [0, causal_past + i].
    int causal_past = -1;
};

// o[q0:q1, head] = softmax(q k^T / sqrt(d_head)) v for queries q0 <= i < q1 of one head.
void attention_block(const attention_args & a, int head, int q0, int q1, kernel_path path);

// The attention weights of one head over the first n_keys keys only (word alignment):
// w[i, j] = softmax_j(q_i . k_j / sqrt(d_head)) for 0 <= j < n_keys <= a.n_kv and every query
// 0 <= i < a.n_q, the softmax normalised over those n_keys keys. w is [n_q, n_keys]. Ignores
// causal_past, v and o.
void attention_weights(const attention_args & a, int head, int n_keys, float * w, kernel_path path);

} // namespace amanuensis

#include "attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "aligned_buffer.h"
#include "gemm.h"
#include "ops.h"

namespace amanuensis {

namespace {
// queries per block up to which attention uses direct dot products instead of GEMMs
constexpr int SMALL_QUERY_ROWS = 8;
thread_local aligned_buffer<float> tls_scores;
thread_local std::vector<int> tls_valid;

// s[rows, n_keys] = q[rows, d_head] k[n_keys, d_head]^T (q rows ldq apart, keys ldk apart). A block
// of up to LINEAR_BLOCK_MAX_ROWS queries on the AVX-512 path reads the keys in place, tile by
// tile; the general GEMM would first transpose them all into packed panels.
void attention_scores(int rows, int n_keys, int d_head, const float * q, int64_t ldq, const void * k, dtype kv_type,
                      int64_t ldk, float * s, kernel_path path) {
    if (uses_avx512(path) && rows <= LINEAR_BLOCK_MAX_ROWS) {
        simd::linear_block_512(rows, 0, n_keys, d_head, q, ldq, matrix_view{k, kv_type, n_keys, d_head}, ldk, s, n_keys,
                               gemm_epilogue{}, path);
        return;
    }
    gemm(rows, n_keys, d_head, q, ldq, gemm_b{k, kv_type, ldk, 1}, s, n_keys, gemm_epilogue{}, path);
}
} // namespace

void attention_block(const attention_args & a, int head, int q0, int q1, kernel_path path) {
    const int rows = q1 - q0;
    if (rows <= 0) {
        return;
    }
    const int64_t hoff = static_cast<int64_t>(head) * a.d_head;
    const int64_t elem = a.kv_type == dtype::f16 ? 2 : 4;
    const int64_t kv_off = a.kv_head_stride >= 0 ? head * a.kv_head_stride : hoff;
    const void * k = static_cast<const char *>(a.k) + kv_off * elem;  // this head's keys and values
    const void * v = static_cast<const char *>(a.v) + kv_off * elem;
    // keys beyond the last query's horizon are never seen: skip computing them
    const int n_kv = a.causal_past >= 0 ? std::min(a.n_kv, a.causal_past + q1) : a.n_kv;
    float * s = tls_scores.reserve(static_cast<size_t>(rows) * n_kv);
    if (path != kernel_path::portable && rows <= SMALL_QUERY_ROWS) {
        // decoder steps: packing K and V for a GEMM would cost more than the product
        const float scale = 1.0f / std::sqrt(static_cast<float>(a.d_head));
        for (int i = 0; i < rows; ++i) {
            const int visible = a.causal_past >= 0 ? std::min(n_kv, a.causal_past + q0 + i + 1) : n_kv;
            const float * qi = a.q + (q0 + i) * a.ldq + hoff;
            float * oi = a.o + (q0 + i) * a.ldo + hoff;
            if (a.kv_type == dtype::f16) {
                simd::attention_small_f16(qi, static_cast<const uint16_t *>(k), a.ldk, static_cast<const uint16_t *>(v), a.ldv,
                                          oi, visible, a.d_head, scale, s);
            } else {
                simd::attention_small(qi, static_cast<const float *>(k), a.ldk, static_cast<const float *>(v), a.ldv, oi,
                                      visible, a.d_head, scale, s);
            }
        }
        return;
    }

    if (uses_avx512(path) && a.causal_past < 0 && rows <= 32 && a.d_head == 64) {
        // a block of queries over all the keys (the alignment pass, a prompt): the scores in the lanes
        simd::attention_lanes_512(rows, a.q + q0 * a.ldq + hoff, a.ldq, k, a.ldk, v, a.ldv, a.kv_type, n_kv,
                                  a.o + q0 * a.ldo + hoff, a.ldo, path);
        return;
    }

    // S = Q_h K_h^T: B(k, n) = K[n, hoff + k]
    attention_scores(rows, n_kv, a.d_head, a.q + q0 * a.ldq + hoff, a.ldq, k, a.kv_type, a.ldk, s, path);

    const int * valid = nullptr;
    if (a.causal_past >= 0) {
        tls_valid.resize(rows);
        for (int i = 0; i < rows; ++i) {
            tls_valid[i] = a.causal_past + q0 + i + 1;
        }
        valid = tls_valid.data();
    }
    softmax_rows(rows, n_kv, s, n_kv, 1.0f / std::sqrt(static_cast<float>(a.d_head)), valid, path);

    // O_h = P V_h: B(k, n) = V[k, hoff + n]
    if (uses_avx512(path) && rows <= LINEAR_BLOCK_MAX_ROWS && a.d_head == 64) {
        simd::attention_values_512(rows, n_kv, s, n_kv, 1, v, a.kv_type, a.ldv, a.o + q0 * a.ldo + hoff, a.ldo);
        return;
    }
    gemm(rows, a.d_head, n_kv, s, n_kv, gemm_b{v, a.kv_type, 1, a.ldv}, a.o + q0 * a.ldo + hoff, a.ldo, gemm_epilogue{},
         path);
}

void attention_weights(const attention_args & a, int head, int n_keys, float * w, kernel_path path) {
    if (a.n_q <= 0 || n_keys <= 0) {
        return;
    }
    const int64_t hoff = static_cast<int64_t>(head) * a.d_head;
    const int64_t elem = a.kv_type == dtype::f16 ? 2 : 4;
    const int64_t kv_off = a.kv_head_stride >= 0 ? head * a.kv_head_stride : hoff;
    const void * k = static_cast<const char *>(a.k) + kv_off * elem;
    attention_scores(a.n_q, n_keys, a.d_head, a.q + hoff, a.ldq, k, a.kv_type, a.ldk, w, path);
    softmax_rows(a.n_q, n_keys, w, n_keys, 1.0f / std::sqrt(static_cast<float>(a.d_head)), nullptr, path);
}

} // namespace amanuensis

// Attention of a block of up to 32 queries of one head over all of a window's keys (the
// teacher-forced alignment pass and prompts, against 1500 audio positions) on the AVX-512 path,
// with the queries in the lanes: the scores are kept [n_kv, 32]. The usual layout, [queries,
// n_kv], makes the score product transpose every 12 x 32 tile it computes, which over a depth of
// only 64 costs about half as much as the products; in the lanes, each tile is already rows of
// the scores, the softmax runs down the lanes with no horizontal reductions, and the value
// product reads the probabilities of six queries at a key from one row.
#include <immintrin.h>

#include <cmath>
#include <limits>

#include "aligned_buffer.h"
#include "gemm.h"
#include "simd_math512.h"

// GCC 12's AVX-512 intrinsics start their builtins from a deliberately undefined vector, which
// its flow analysis reports as "maybe uninitialized" (false; every lane is written): off for this file only
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define AMANUENSIS_SIMD512 __attribute__((target("avx512f,avx2,fma,f16c")))

namespace amanuensis::simd {

namespace {

constexpr int LANES = 32;  // queries per block: two zmm
constexpr int D_HEAD = 64;

thread_local aligned_buffer<float> tls_queries;  // [D_HEAD][LANES]
thread_local aligned_buffer<float> tls_scores;   // [n_kv][LANES]

// scores [n_kv][32] -> their softmax down each lane, of the scores times `scale`
AMANUENSIS_SIMD512 void softmax_down_lanes(int n_kv, float * scores, float scale) {
    __m512 max[2] = {_mm512_set1_ps(-std::numeric_limits<float>::infinity()), _mm512_set1_ps(-std::numeric_limits<float>::infinity())};
    for (int n = 0; n < n_kv; ++n) {
        for (int h = 0; h < 2; ++h) {
            max[h] = _mm512_max_ps(max[h], _mm512_load_ps(scores + n * LANES + 16 * h));
        }
    }
    const __m512 s = _mm512_set1_ps(scale);
    __m512 sum[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int n = 0; n < n_kv; ++n) {
        for (int h = 0; h < 2; ++h) {
            float * row = scores + n * LANES + 16 * h;
            const __m512 e = exp512(_mm512_mul_ps(_mm512_sub_ps(_mm512_load_ps(row), max[h]), s));
            _mm512_store_ps(row, e);
            sum[h] = _mm512_add_ps(sum[h], e);
        }
    }
    const __m512 inv[2] = {_mm512_div_ps(_mm512_set1_ps(1.0f), sum[0]), _mm512_div_ps(_mm512_set1_ps(1.0f), sum[1])};
    for (int n = 0; n < n_kv; ++n) {
        for (int h = 0; h < 2; ++h) {
            float * row = scores + n * LANES + 16 * h;
            _mm512_store_ps(row, _mm512_mul_ps(_mm512_load_ps(row), inv[h]));
        }
    }
}

} // namespace

AMANUENSIS_SIMD512 void attention_lanes_512(int rows, const float * q, int64_t ldq, const void * k, int64_t ldk, const void * v,
                                            int64_t ldv, dtype kv_type, int n_kv, float * o, int64_t ldo, kernel_path path) {
    float * queries = tls_queries.reserve(linear_block_transposed_floats(rows, D_HEAD));
    linear_block_transpose(rows, D_HEAD, q, ldq, queries);  // lanes past `rows` are zero queries: uniform, unused
    float * scores = tls_scores.reserve(static_cast<size_t>(n_kv) * LANES);
    linear_block_512_lanes(0, n_kv, D_HEAD, queries, matrix_view{k, kv_type, n_kv, D_HEAD}, ldk, scores, path);
    softmax_down_lanes(n_kv, scores, 1.0f / std::sqrt(static_cast<float>(D_HEAD)));
    attention_values_512(rows, n_kv, scores, 1, LANES, v, kv_type, ldv, o, ldo);
}

} // namespace amanuensis::simd

// The second product of attention for a block of queries on the AVX-512 path, O = P V, read
// straight from the keys' layout: six rows of P at a time against each value row (64 wide, four
// zmm), no packed copy of V. The general GEMM would pack V [n_kv, 64] per head and call, which
// for a few dozen queries (word alignment's teacher-forced pass, a prompt) costs more than the
// products.
#include <immintrin.h>

#include <algorithm>

#include "gemm.h"

// GCC 12's _mm512_cvtph_ps starts its builtin from a deliberately undefined vector, which its flow
// analysis reports as "maybe uninitialized" (false; every lane is written): off for this file only
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define AMANUENSIS_SIMD512 __attribute__((target("avx512f,avx2,fma,f16c")))

namespace amanuensis::simd {

namespace {

constexpr int ROWS = 6;

AMANUENSIS_SIMD512 inline void load_value_row(const void * v, dtype type, int64_t offset, __m512 * out) {
    if (type == dtype::f16) {
        const uint16_t * row = static_cast<const uint16_t *>(v) + offset;
        for (int j = 0; j < 4; ++j) {
            out[j] = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(row + 16 * j)));
        }
        return;
    }
    const float * row = static_cast<const float *>(v) + offset;
    for (int j = 0; j < 4; ++j) {
        out[j] = _mm512_loadu_ps(row + 16 * j);
    }
}

} // namespace

AMANUENSIS_SIMD512 void attention_values_512(int rows, int n_kv, const float * p, int64_t p_row_stride, int64_t p_key_stride,
                                             const void * v, dtype type, int64_t ldv, float * o, int64_t ldo) {
    for (int r0 = 0; r0 < rows; r0 += ROWS) {
        const int nr = std::min(ROWS, rows - r0);
        const float * pr[ROWS];
        for (int i = 0; i < ROWS; ++i) {
            pr[i] = p + static_cast<int64_t>(r0 + std::min(i, nr - 1)) * p_row_stride;  // a short tile repeats its last row
        }
        __m512 acc[ROWS][4];
        for (int i = 0; i < ROWS; ++i) {
            for (int j = 0; j < 4; ++j) {
                acc[i][j] = _mm512_setzero_ps();
            }
        }
        for (int k = 0; k < n_kv; ++k) {
            __m512 vk[4];
            load_value_row(v, type, static_cast<int64_t>(k) * ldv, vk);
            for (int i = 0; i < ROWS; ++i) {
                const __m512 a = _mm512_set1_ps(pr[i][k * p_key_stride]);
                for (int j = 0; j < 4; ++j) {
                    acc[i][j] = _mm512_fmadd_ps(a, vk[j], acc[i][j]);
                }
            }
        }
        for (int i = 0; i < nr; ++i) {
            float * oi = o + static_cast<int64_t>(r0 + i) * ldo;
            for (int j = 0; j < 4; ++j) {
                _mm512_storeu_ps(oi + 16 * j, acc[i][j]);
            }
        }
    }
}

} // namespace amanuensis::simd

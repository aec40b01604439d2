// AVX2/FMA/F16C kernels for gemm.h, compiled with per-function target attributes and
// selected at run time.
#include <algorithm>
#include <cstring>

#include "gemm.h"
#include "scalar_math.h"
#include "simd_math.h"

namespace amanuensis::simd {

namespace {

// Loads 8 weights starting at element k of a row, widening f16 with F16C.
AMANUENSIS_SIMD inline __m256 load_weights(const void * row, dtype type, int k) {
    if (type == dtype::f16) {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(static_cast<const uint16_t *>(row) + k)));
    }
    return _mm256_loadu_ps(static_cast<const float *>(row) + k);
}

AMANUENSIS_SIMD inline float load_weight(const void * row, dtype type, int k) {
    if (type == dtype::f16) {
        return _cvtsh_ss(static_cast<const uint16_t *>(row)[k]);
    }
    return static_cast<const float *>(row)[k];
}

AMANUENSIS_SIMD inline __m256 finish(__m256 product, const float * c, const float * bias, bool first, bool last,
                                     const gemm_epilogue & ep) {
    __m256 v = (first && !ep.accumulate) ? product : _mm256_add_ps(_mm256_loadu_ps(c), product);
    if (last) {
        if (bias != nullptr) {
            v = _mm256_add_ps(v, _mm256_loadu_ps(bias));
        }
        if (ep.gelu) {
            v = gelu_ps(v);
        }
    }
    return v;
}

inline float finish_scalar(float product, float prior, const float * bias, int n, bool first, bool last,
                           const gemm_epilogue & ep) {
    float v = (first && !ep.accumulate) ? product : prior + product;
    if (last) {
        if (bias != nullptr) {
            v += bias[n];
        }
        if (ep.gelu) {
            v = gelu_exact(v);
        }
    }
    return v;
}

} // namespace

AMANUENSIS_SIMD void micro_kernel_6x16(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows,
                                       int cols, bool first, bool last, const float * bias, const gemm_epilogue & ep) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int k = 0; k < kc; ++k) {
        const __m256 b0 = _mm256_load_ps(b);
        const __m256 b1 = _mm256_load_ps(b + 8);
        __m256 ai = _mm256_broadcast_ss(a + 0);
        c00 = _mm256_fmadd_ps(ai, b0, c00);
        c01 = _mm256_fmadd_ps(ai, b1, c01);
        ai = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(ai, b0, c10);
        c11 = _mm256_fmadd_ps(ai, b1, c11);
        ai = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(ai, b0, c20);
        c21 = _mm256_fmadd_ps(ai, b1, c21);
        ai = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(ai, b0, c30);
        c31 = _mm256_fmadd_ps(ai, b1, c31);
        ai = _mm256_broadcast_ss(a + 4);
        c40 = _mm256_fmadd_ps(ai, b0, c40);
        c41 = _mm256_fmadd_ps(ai, b1, c41);
        ai = _mm256_broadcast_ss(a + 5);
        c50 = _mm256_fmadd_ps(ai, b0, c50);
        c51 = _mm256_fmadd_ps(ai, b1, c51);
        a += GEMM_MR;
        b += GEMM_NR;
    }
    const __m256 acc[GEMM_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    if (rows == GEMM_MR && cols == GEMM_NR) {
        for (int i = 0; i < GEMM_MR; ++i) {
            float * ci = c + i * ldc;
            _mm256_storeu_ps(ci, finish(acc[i][0], ci, bias, first, last, ep));
            _mm256_storeu_ps(ci + 8, finish(acc[i][1], ci + 8, bias != nullptr ? bias + 8 : nullptr, first, last, ep));
        }
        return;
    }
    alignas(32) float tile[GEMM_MR][GEMM_NR];
    for (int i = 0; i < GEMM_MR; ++i) {
        _mm256_store_ps(tile[i], acc[i][0]);
        _mm256_store_ps(tile[i] + 8, acc[i][1]);
    }
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
            float & out = c[i * ldc + j];
            out = finish_scalar(tile[i][j], out, bias, j, first, last, ep);
        }
    }
}

AMANUENSIS_SIMD void widen_fp16(const void * src, float * dst, int64_t n) {
    const uint16_t * h = static_cast<const uint16_t *>(src);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(h + i))));
    }
    for (; i < n; ++i) {
        dst[i] = _cvtsh_ss(h[i]);
    }
}

// Up to four rows share each weight load; the weight row is read once per group.
AMANUENSIS_SIMD void gemv_rows4(int M, int n_begin, int n_end, int K, const float * A, int64_t lda,
                                const matrix_view & W, float * C, int64_t ldc, const gemm_epilogue & ep) {
    const int64_t elem = W.type == dtype::f16 ? 2 : 4;
    for (int m0 = 0; m0 < M; m0 += 4) {
        const int mg = std::min(4, M - m0);
        const float * x[4];
        for (int i = 0; i < 4; ++i) {
            x[i] = A + static_cast<int64_t>(m0 + std::min(i, mg - 1)) * lda;
        }
        for (int n = n_begin; n < n_end; ++n) {
            const void * row = static_cast<const char *>(W.data) + static_cast<int64_t>(n) * W.cols * elem;
            __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
            int k = 0;
            for (; k + 8 <= K; k += 8) {
                const __m256 w = load_weights(row, W.type, k);
                s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x[0] + k), w, s0);
                s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x[1] + k), w, s1);
                s2 = _mm256_fmadd_ps(_mm256_loadu_ps(x[2] + k), w, s2);
                s3 = _mm256_fmadd_ps(_mm256_loadu_ps(x[3] + k), w, s3);
            }
            float sums[4] = {hsum_ps(s0), hsum_ps(s1), hsum_ps(s2), hsum_ps(s3)};
            for (; k < K; ++k) {
                const float w = load_weight(row, W.type, k);
                for (int i = 0; i < 4; ++i) {
                    sums[i] += x[i][k] * w;
                }
            }
            for (int i = 0; i < mg; ++i) {
                float & out = C[static_cast<int64_t>(m0 + i) * ldc + n];
                out = finish_scalar(sums[i], out, ep.bias, n, true, true, ep);
            }
        }
    }
}

} // namespace amanuensis::simd

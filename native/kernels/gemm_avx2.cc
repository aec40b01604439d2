// AVX2/FMA/F16C kernels for gemm.h, compiled with per-function target attributes and
// selected at run time.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "gemm.h"
#include "gemm_epilogue.h"
#include "ops.h"
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
            _mm256_storeu_ps(ci, apply_epilogue8(acc[i][0], ci, bias, first, last, ep));
            _mm256_storeu_ps(ci + 8, apply_epilogue8(acc[i][1], ci + 8, bias != nullptr ? bias + 8 : nullptr, first, last, ep));
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
            out = apply_epilogue(out, tile[i][j], j, first, last, bias, ep);
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

// C[m, n] = dot(A[m, :], W[n, :]) for all m < M and n_begin <= n < n_end. Weight rows are taken
// four at a time (12 KiB of f32 at K = 768, in L1) and every pair of input rows passes over them,
// so each weight is read from memory once whatever M is; 8 independent accumulators keep the FMA
// units busy even for a single input row.
template <dtype T>
AMANUENSIS_SIMD void gemv_rows4_typed(int M, int n_begin, int n_end, int K, const float * A, int64_t lda,
                                      const matrix_view & W, float * C, int64_t ldc, const gemm_epilogue & ep) {
    constexpr int64_t elem = T == dtype::f16 ? 2 : 4;
    const int k8 = K & ~7;
    const int64_t row_bytes = W.cols * elem;
    for (int n0 = n_begin; n0 < n_end; n0 += 4) {
        const int nr = std::min(4, n_end - n0);
        const char * rows[4];
        for (int r = 0; r < 4; ++r) {
            rows[r] = static_cast<const char *>(W.data) + static_cast<int64_t>(n0 + std::min(r, nr - 1)) * row_bytes;
        }
        // the next block's rows start streaming in while this one is computed
        if (n0 + 4 < n_end) {
            const char * next = static_cast<const char *>(W.data) + static_cast<int64_t>(n0 + 4) * row_bytes;
            for (int64_t b = 0; b < 4 * row_bytes; b += 64) _mm_prefetch(next + b, _MM_HINT_T0);
        }
        for (int m0 = 0; m0 < M; m0 += 2) {
            const int mg = std::min(2, M - m0);
            const float * x0 = A + static_cast<int64_t>(m0) * lda;
            const float * x1 = A + static_cast<int64_t>(m0 + mg - 1) * lda;
            __m256 a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps(), a02 = _mm256_setzero_ps(), a03 = _mm256_setzero_ps();
            __m256 a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps(), a12 = _mm256_setzero_ps(), a13 = _mm256_setzero_ps();
            for (int k = 0; k < k8; k += 8) {
                const __m256 w0 = load_weights(rows[0], T, k);
                const __m256 w1 = load_weights(rows[1], T, k);
                const __m256 w2 = load_weights(rows[2], T, k);
                const __m256 w3 = load_weights(rows[3], T, k);
                const __m256 v0 = _mm256_loadu_ps(x0 + k);
                a00 = _mm256_fmadd_ps(v0, w0, a00);
                a01 = _mm256_fmadd_ps(v0, w1, a01);
                a02 = _mm256_fmadd_ps(v0, w2, a02);
                a03 = _mm256_fmadd_ps(v0, w3, a03);
                if (mg == 2) {
                    const __m256 v1 = _mm256_loadu_ps(x1 + k);
                    a10 = _mm256_fmadd_ps(v1, w0, a10);
                    a11 = _mm256_fmadd_ps(v1, w1, a11);
                    a12 = _mm256_fmadd_ps(v1, w2, a12);
                    a13 = _mm256_fmadd_ps(v1, w3, a13);
                }
            }
            const __m256 a0[4] = {a00, a01, a02, a03};
            const __m256 a1[4] = {a10, a11, a12, a13};
            float sums[2][4];
            for (int r = 0; r < 4; ++r) {
                sums[0][r] = hsum_ps(a0[r]);
                sums[1][r] = hsum_ps(a1[r]);
            }
            for (int k = k8; k < K; ++k) {
                for (int r = 0; r < 4; ++r) {
                    const float w = load_weight(rows[r], T, k);
                    sums[0][r] += x0[k] * w;
                    sums[1][r] += x1[k] * w;
                }
            }
            for (int i = 0; i < mg; ++i) {
                for (int r = 0; r < nr; ++r) {
                    float & out = C[static_cast<int64_t>(m0 + i) * ldc + n0 + r];
                    out = apply_epilogue(out, sums[i][r], n0 + r, true, true, ep.bias, ep);
                }
            }
        }
    }
}

void gemv_rows4(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W, float * C,
                int64_t ldc, const gemm_epilogue & ep) {
    if (W.type == dtype::f16) {
        gemv_rows4_typed<dtype::f16>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    } else {
        gemv_rows4_typed<dtype::f32>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    }
}

// Sums of eight vectors at once: lane i of the result is the horizontal sum of v[i].
AMANUENSIS_SIMD inline __m256 hsum8(const __m256 v[8]) {
    const __m256 s01 = _mm256_hadd_ps(v[0], v[1]);
    const __m256 s23 = _mm256_hadd_ps(v[2], v[3]);
    const __m256 s45 = _mm256_hadd_ps(v[4], v[5]);
    const __m256 s67 = _mm256_hadd_ps(v[6], v[7]);
    const __m256 s0123 = _mm256_hadd_ps(s01, s23);  // [v0 v1 v2 v3 | v0 v1 v2 v3] low and high halves
    const __m256 s4567 = _mm256_hadd_ps(s45, s67);
    const __m256 lo = _mm256_permute2f128_ps(s0123, s4567, 0x20);
    const __m256 hi = _mm256_permute2f128_ps(s0123, s4567, 0x31);
    return _mm256_add_ps(lo, hi);
}

// Attention of one query (decoder steps) without packing: scores by direct dot products over
// the keys, eight keys a pass, a softmax, then a weighted sum of the values; K and V are each
// read once.
namespace {

// 8 consecutive K or V elements as floats (f16 widened with F16C), and one element.
AMANUENSIS_SIMD inline __m256 load8(const float * p) { return _mm256_loadu_ps(p); }
AMANUENSIS_SIMD inline __m256 load8(const uint16_t * p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
AMANUENSIS_SIMD inline float load1(const float * p) { return *p; }
AMANUENSIS_SIMD inline float load1(const uint16_t * p) { return _cvtsh_ss(*p); }

template <typename T>
AMANUENSIS_SIMD void attention_small_typed(const float * q, const T * k, int64_t ldk, const T * v, int64_t ldv, float * o,
                                           int n_kv, int d_head, float scale, float * scores) {
    const int d8 = d_head & ~7;
    int j = 0;
    if (d8 == d_head) {
        for (; j + 8 <= n_kv; j += 8) {
            __m256 acc[8];
            for (int r = 0; r < 8; ++r) acc[r] = _mm256_setzero_ps();
            for (int i = 0; i < d8; i += 8) {
                const __m256 qi = _mm256_loadu_ps(q + i);
                for (int r = 0; r < 8; ++r) {
                    acc[r] = _mm256_fmadd_ps(qi, load8(k + static_cast<int64_t>(j + r) * ldk + i), acc[r]);
                }
            }
            _mm256_storeu_ps(scores + j, _mm256_mul_ps(hsum8(acc), _mm256_set1_ps(scale)));
        }
    }
    for (; j < n_kv; ++j) {
        const T * kj = k + static_cast<int64_t>(j) * ldk;
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < d8; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load8(kj + i), acc);
        float s = hsum_ps(acc);
        for (int i = d8; i < d_head; ++i) s += q[i] * load1(kj + i);
        scores[j] = s * scale;
    }
    softmax_row(n_kv, scores, 1.0f);
    if (d_head == 64) {
        // every Whisper model has 64-wide heads: the output stays in 8 registers
        __m256 acc[8];
        for (int r = 0; r < 8; ++r) acc[r] = _mm256_setzero_ps();
        for (int jj = 0; jj < n_kv; ++jj) {
            const __m256 vp = _mm256_set1_ps(scores[jj]);
            const T * vj = v + static_cast<int64_t>(jj) * ldv;
            for (int r = 0; r < 8; ++r) acc[r] = _mm256_fmadd_ps(vp, load8(vj + 8 * r), acc[r]);
        }
        for (int r = 0; r < 8; ++r) _mm256_storeu_ps(o + 8 * r, acc[r]);
        return;
    }
    for (int i = 0; i < d_head; ++i) o[i] = 0.0f;
    for (int jj = 0; jj < n_kv; ++jj) {
        const __m256 vp = _mm256_set1_ps(scores[jj]);
        const T * vj = v + static_cast<int64_t>(jj) * ldv;
        int i = 0;
        for (; i < d8; i += 8) _mm256_storeu_ps(o + i, _mm256_fmadd_ps(vp, load8(vj + i), _mm256_loadu_ps(o + i)));
        for (; i < d_head; ++i) o[i] += scores[jj] * load1(vj + i);
    }
}

} // namespace

AMANUENSIS_SIMD void attention_small(const float * q, const float * k, int64_t ldk, const float * v, int64_t ldv,
                                     float * o, int n_kv, int d_head, float scale, float * scores) {
    attention_small_typed(q, k, ldk, v, ldv, o, n_kv, d_head, scale, scores);
}

AMANUENSIS_SIMD void attention_small_f16(const float * q, const uint16_t * k, int64_t ldk, const uint16_t * v, int64_t ldv,
                                         float * o, int n_kv, int d_head, float scale, float * scores) {
    attention_small_typed(q, k, ldk, v, ldv, o, n_kv, d_head, scale, scores);
}

AMANUENSIS_SIMD void narrow_fp16(const float * src, void * dst, int64_t n) {
    uint16_t * h = static_cast<uint16_t *>(dst);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm_storeu_si128(reinterpret_cast<__m128i *>(h + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    for (; i < n; ++i) {
        h[i] = static_cast<uint16_t>(_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(src[i]), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), 0));
    }
}

} // namespace amanuensis::simd

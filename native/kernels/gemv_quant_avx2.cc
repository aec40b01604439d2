// The decoder's few-row products over block-quantized weights (AVX2/FMA/F16C), without a
// dequantized copy: each block's 32 quants are widened to floats in registers, multiplied by the
// f32 activations and the block's partial sum scaled by its d once (the types with a minimum are
// dequantized in registers and multiplied directly). The result is the product with the exactly
// dequantized weights (f32 activations throughout), summed in another order. A step is bound by
// memory traffic, so the point is that every weight byte is read once whatever the number of
// rows, at fewer bytes per weight than f16.
#include <algorithm>

#include "gemm.h"
#include "gemv_quant_rows.h"
#include "quant.h"
#include "quant_blocks_avx2.h"

namespace amanuensis::simd {

namespace {

// Input rows that share one widening of a block (4 accumulators, 4 widened quants, temporaries:
// what 16 AVX2 registers hold without spilling).
constexpr int ROWS_PER_PASS = 4;

// The quants of q4_1/q5_1 (0..15, 0..31) shifted to be centred on zero: (q − c)·d + (m + c·d).
template <dtype T> constexpr int min_type_centre() { return T == dtype::q4_1 ? 8 : T == dtype::q5_1 ? 16 : 0; }

template <dtype T>
AMANUENSIS_SIMD inline __m256i centred_quants(const uint8_t * blk) {
    const __m256i q = block_quants<T>(blk);
    if constexpr (min_type_centre<T>() != 0) {
        return _mm256_sub_epi8(q, _mm256_set1_epi8(static_cast<char>(min_type_centre<T>())));
    }
    return q;
}

// Outputs of one weight row for MG input rows starting at x (row stride lda).
template <dtype T, int MG>
AMANUENSIS_SIMD void row_dots(const uint8_t * row, int n_blocks, const float * x, int64_t lda, float out[MG]) {
    constexpr int bb = block_layout<T>::bytes;
    __m256 acc[MG];
    for (int i = 0; i < MG; ++i) acc[i] = _mm256_setzero_ps();
    for (int b = 0; b < n_blocks; ++b) {
        const uint8_t * blk = row + static_cast<int64_t>(b) * bb;
        __m256 q[4];
        const float scale = block_scale(blk);
        quants_to_floats(centred_quants<T>(blk), q);
        const __m256 d = _mm256_set1_ps(scale);
        const float * xb = x + static_cast<int64_t>(b) * QUANT_BLOCK;
        if constexpr (block_layout<T>::has_min) {
            // the weights themselves, (q − c)·d + (m + c·d), then plain products: a block's minimum
            // can be far from its values' mean, and m·Σx would then cancel most of d·Σq·x
            const __m256 m = _mm256_set1_ps(block_min(blk) + static_cast<float>(min_type_centre<T>()) * scale);
            for (int j = 0; j < 4; ++j) q[j] = _mm256_fmadd_ps(q[j], d, m);
            for (int i = 0; i < MG; ++i) {
                const float * xi = xb + i * lda;
                for (int j = 0; j < 4; ++j) acc[i] = _mm256_fmadd_ps(q[j], _mm256_loadu_ps(xi + 8 * j), acc[i]);
            }
        } else {
            for (int i = 0; i < MG; ++i) {
                const float * xi = xb + i * lda;
                __m256 t = _mm256_mul_ps(q[0], _mm256_loadu_ps(xi));
                t = _mm256_fmadd_ps(q[1], _mm256_loadu_ps(xi + 8), t);
                t = _mm256_fmadd_ps(q[2], _mm256_loadu_ps(xi + 16), t);
                t = _mm256_fmadd_ps(q[3], _mm256_loadu_ps(xi + 24), t);
                acc[i] = _mm256_fmadd_ps(t, d, acc[i]);
            }
        }
    }
    for (int i = 0; i < MG; ++i) out[i] = hsum_ps(acc[i]);
}

// row_dots over a pass of the shared row loop.
template <dtype T>
struct avx2_dots {
    int n_blocks;
    const float * x;
    int64_t lda;
    template <int MG>
    AMANUENSIS_SIMD void run(const uint8_t * row, int m0, float * out) const {
        row_dots<T, MG>(row, n_blocks, x + static_cast<int64_t>(m0) * lda, lda, out);
    }
};

template <dtype T>
void gemv_quant_typed(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W, float * C,
                      int64_t ldc, const gemm_epilogue & ep) {
    const int n_blocks = K / static_cast<int>(QUANT_BLOCK);
    gemv_quant_rows<ROWS_PER_PASS>(M, n_begin, n_end, static_cast<const uint8_t *>(W.data),
                                   static_cast<int64_t>(n_blocks) * block_layout<T>::bytes, C, ldc, ep, avx2_dots<T>{n_blocks, A, lda});
}

} // namespace

void gemv_quantized(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W, float * C,
                    int64_t ldc, const gemm_epilogue & ep) {
    switch (W.type) {
    case dtype::q4_0: return gemv_quant_typed<dtype::q4_0>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q4_1: return gemv_quant_typed<dtype::q4_1>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q5_0: return gemv_quant_typed<dtype::q5_0>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q5_1: return gemv_quant_typed<dtype::q5_1>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q8_0: return gemv_quant_typed<dtype::q8_0>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    default: return;
    }
}

} // namespace amanuensis::simd

// The AVX-512 form of gemv_quant_avx2.cc (f32 activations, quants widened in registers, each
// block's partial sum scaled by d once; q4_1/q5_1 blocks are dequantized in registers instead,
// (q − c)·d + (m + c·d), so their rounding differs from the AVX2 kernel's). A 32-element block
// is two 16-lane vectors, so the 4/5-bit quants come out of one zero-extending load of the 16
// packed bytes (low nibbles are elements 0..15, high nibbles 16..31) and q5's fifth bits are two
// 16-bit masks: about half the instructions per block of the AVX2 kernel, which is what bounds a
// quantized step once the weights take fewer bytes.
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics fill the unused lanes of their masked builtins from a deliberately
// undefined vector, which its own flow analysis then reports as "used uninitialized" at every
// inlined call (hundreds of lines of false warnings): off for this file only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "gemm.h"
#include "gemv_quant_rows.h"
#include "quant.h"

#define AMANUENSIS_SIMD512 __attribute__((target("avx512f,avx2,fma,f16c")))

namespace amanuensis::simd {

namespace {

constexpr int ROWS_PER_PASS = 8; // 8 zmm accumulators of the 32 registers

// The f16 at p in all 16 lanes: a 16-bit broadcast load and one conversion (no scalar detour).
AMANUENSIS_SIMD512 inline __m512 half_broadcast(const uint8_t * p) {
    int16_t h;
    std::memcpy(&h, p, sizeof h);
    return _mm512_cvtph_ps(_mm256_set1_epi16(h));
}

AMANUENSIS_SIMD512 inline uint32_t u32_value(const uint8_t * p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <dtype T> struct layout;
template <> struct layout<dtype::q4_0> { static constexpr int bytes = 18, qs = 2, qh = -1, min = -1, centre = 8; };
template <> struct layout<dtype::q4_1> { static constexpr int bytes = 20, qs = 4, qh = -1, min = 2, centre = 8; };
template <> struct layout<dtype::q5_0> { static constexpr int bytes = 22, qs = 6, qh = 2, min = -1, centre = 16; };
template <> struct layout<dtype::q5_1> { static constexpr int bytes = 24, qs = 8, qh = 4, min = 2, centre = 16; };
template <> struct layout<dtype::q8_0> { static constexpr int bytes = 34, qs = 2, qh = -1, min = -1, centre = 0; };

// Elements 0..15 and 16..31 of the block as floats, centred (q − centre).
template <dtype T>
AMANUENSIS_SIMD512 inline void block_floats(const uint8_t * blk, __m512 & lo, __m512 & hi) {
    using L = layout<T>;
    if constexpr (T == dtype::q8_0) {
        lo = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(blk + L::qs))));
        hi = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(blk + L::qs + 16))));
    } else {
        const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(blk + L::qs)));
        __m512i q_lo = _mm512_and_si512(bytes, _mm512_set1_epi32(0x0F));
        __m512i q_hi = _mm512_srli_epi32(bytes, 4);
        if constexpr (L::qh >= 0) {
            const uint32_t qh = u32_value(blk + L::qh);
            const __m512i sixteen = _mm512_set1_epi32(16);
            q_lo = _mm512_mask_or_epi32(q_lo, static_cast<__mmask16>(qh & 0xFFFF), q_lo, sixteen);
            q_hi = _mm512_mask_or_epi32(q_hi, static_cast<__mmask16>(qh >> 16), q_hi, sixteen);
        }
        const __m512i centre = _mm512_set1_epi32(L::centre);
        lo = _mm512_cvtepi32_ps(_mm512_sub_epi32(q_lo, centre));
        hi = _mm512_cvtepi32_ps(_mm512_sub_epi32(q_hi, centre));
    }
}

template <dtype T, int MG>
AMANUENSIS_SIMD512 void row_dots(const uint8_t * row, int n_blocks, const float * x, int64_t lda, float out[MG]) {
    using L = layout<T>;
    __m512 acc[MG];
    for (int i = 0; i < MG; ++i) acc[i] = _mm512_setzero_ps();
    for (int b = 0; b < n_blocks; ++b) {
        const uint8_t * blk = row + static_cast<int64_t>(b) * L::bytes;
        __m512 lo, hi;
        block_floats<T>(blk, lo, hi);
        const __m512 d = half_broadcast(blk);
        const float * xb = x + static_cast<int64_t>(b) * QUANT_BLOCK;
        if constexpr (L::min >= 0) {
            // the weights themselves, (q − c)·d + (m + c·d), then plain products
            const __m512 m = _mm512_fmadd_ps(_mm512_set1_ps(static_cast<float>(L::centre)), d, half_broadcast(blk + L::min));
            const __m512 w_lo = _mm512_fmadd_ps(lo, d, m);
            const __m512 w_hi = _mm512_fmadd_ps(hi, d, m);
            for (int i = 0; i < MG; ++i) {
                const float * xi = xb + i * lda;
                acc[i] = _mm512_fmadd_ps(w_lo, _mm512_loadu_ps(xi), acc[i]);
                acc[i] = _mm512_fmadd_ps(w_hi, _mm512_loadu_ps(xi + 16), acc[i]);
            }
        } else {
            // Σ q·x for the block, then one scaling by d
            for (int i = 0; i < MG; ++i) {
                const float * xi = xb + i * lda;
                const __m512 t = _mm512_fmadd_ps(hi, _mm512_loadu_ps(xi + 16), _mm512_mul_ps(lo, _mm512_loadu_ps(xi)));
                acc[i] = _mm512_fmadd_ps(t, d, acc[i]);
            }
        }
    }
    for (int i = 0; i < MG; ++i) out[i] = _mm512_reduce_add_ps(acc[i]);
}

// row_dots over a pass of the shared row loop.
template <dtype T>
struct avx512_dots {
    int n_blocks;
    const float * x;
    int64_t lda;
    template <int MG>
    AMANUENSIS_SIMD512 void run(const uint8_t * row, int m0, float * out) const {
        row_dots<T, MG>(row, n_blocks, x + static_cast<int64_t>(m0) * lda, lda, out);
    }
};

template <dtype T>
void gemv_quant_typed(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W, float * C,
                      int64_t ldc, const gemm_epilogue & ep) {
    const int n_blocks = K / static_cast<int>(QUANT_BLOCK);
    gemv_quant_rows<ROWS_PER_PASS>(M, n_begin, n_end, static_cast<const uint8_t *>(W.data),
                                   static_cast<int64_t>(n_blocks) * layout<T>::bytes, C, ldc, ep, avx512_dots<T>{n_blocks, A, lda});
}

} // namespace

void gemv_quantized_512(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                        float * C, int64_t ldc, const gemm_epilogue & ep) {
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

// AVX2 readers of one ggml block (quant.h): the 32 quants as bytes in element order, and the
// block's scale and minimum. Shared by the dequantizer and the quantized gemv; every function
// carries the SIMD target attribute (callers check simd_kernels_supported() first).
#pragma once

#include <cstdint>
#include <cstring>

#include "simd_math.h"
#include "tensor_view.h"

namespace amanuensis::simd {

AMANUENSIS_SIMD inline float half_scalar_at(const uint8_t * p) {
    uint16_t h;
    std::memcpy(&h, p, sizeof h);
    return _cvtsh_ss(h);
}

// The 16 bytes of 4-bit quants as 32 bytes: element j of the block (0..31) in byte j.
AMANUENSIS_SIMD inline __m256i nibbles(const uint8_t * qs) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs));
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m128i lo = _mm_and_si128(raw, mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(raw, 4), mask);
    return _mm256_set_m128i(hi, lo);
}

// 0x10 in byte j where bit j of the little-endian 32-bit qh at p is set (q5's fifth bits).
AMANUENSIS_SIMD inline __m256i fifth_bits(const uint8_t * p) {
    uint32_t qh;
    std::memcpy(&qh, p, sizeof qh);
    // byte j gets byte j / 8 of qh, then keeps bit j % 8
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(qh)),
                                               _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL,
                                                                 0x0101010101010101LL, 0x0000000000000000LL));
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// Where a block's fields sit, per type (ggml-common.h).
template <dtype T> struct block_layout;
template <> struct block_layout<dtype::q4_0> { static constexpr int bytes = 18; static constexpr bool has_min = false; };
template <> struct block_layout<dtype::q4_1> { static constexpr int bytes = 20; static constexpr bool has_min = true; };
template <> struct block_layout<dtype::q5_0> { static constexpr int bytes = 22; static constexpr bool has_min = false; };
template <> struct block_layout<dtype::q5_1> { static constexpr int bytes = 24; static constexpr bool has_min = true; };
template <> struct block_layout<dtype::q8_0> { static constexpr int bytes = 34; static constexpr bool has_min = false; };

// The block's 32 quants as signed bytes such that element j = q[j] * d (+ m): the offsets of
// q4_0 (8) and q5_0 (16) are already subtracted; q4_1/q5_1 quants are 0..31.
template <dtype T>
AMANUENSIS_SIMD inline __m256i block_quants(const uint8_t * b) {
    if constexpr (T == dtype::q4_0) {
        return _mm256_sub_epi8(nibbles(b + 2), _mm256_set1_epi8(8));
    } else if constexpr (T == dtype::q4_1) {
        return nibbles(b + 4);
    } else if constexpr (T == dtype::q5_0) {
        return _mm256_sub_epi8(_mm256_or_si256(nibbles(b + 6), fifth_bits(b + 2)), _mm256_set1_epi8(16));
    } else if constexpr (T == dtype::q5_1) {
        return _mm256_or_si256(nibbles(b + 8), fifth_bits(b + 4));
    } else {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + 2));
    }
}

// The block's scale d and (types with a minimum) m, widened from f16.
AMANUENSIS_SIMD inline float block_scale(const uint8_t * b) { return half_scalar_at(b); }
AMANUENSIS_SIMD inline float block_min(const uint8_t * b) { return half_scalar_at(b + 2); }

// The 32 signed bytes of q as four vectors of 8 floats, in element order.
AMANUENSIS_SIMD inline void quants_to_floats(__m256i q, __m256 out[4]) {
    const __m128i lo = _mm256_castsi256_si128(q);
    const __m128i hi = _mm256_extracti128_si256(q, 1);
    out[0] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo));
    out[1] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)));
    out[2] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi));
    out[3] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)));
}

} // namespace amanuensis::simd

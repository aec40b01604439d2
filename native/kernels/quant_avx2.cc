// AVX2/F16C dequantization of ggml's blocks (quant.h), compiled with per-function target
// attributes and used only on the SIMD kernel paths. Gives the portable code's values bit for
// bit: q * d is exact in f32 for every type, and + m rounds once in both.
#include <cstring>

#include "quant.h"
#include "simd_math.h"

namespace amanuensis::simd {

namespace {

AMANUENSIS_SIMD inline __m256 half_at(const uint8_t * p) {
    uint16_t h;
    std::memcpy(&h, p, sizeof h);
    return _mm256_set1_ps(_cvtsh_ss(h));
}

// The 16 bytes of 4-bit quants as 32 bytes: element j of the block (0..15) in byte j.
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

// y[j] = q[j] * d (+ m), q 32 signed bytes.
template <bool WithMin>
AMANUENSIS_SIMD inline void scale_store(__m256i q, __m256 d, __m256 m, float * y) {
    const __m128i lo = _mm256_castsi256_si128(q);
    const __m128i hi = _mm256_extracti128_si256(q, 1);
    const __m128i parts[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
    for (int i = 0; i < 4; ++i) {
        __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(parts[i])), d);
        if (WithMin) {
            v = _mm256_add_ps(v, m);
        }
        _mm256_storeu_ps(y + 8 * i, v);
    }
}

} // namespace

AMANUENSIS_SIMD void dequantize_blocks(dtype type, const void * row, int64_t first_block, int64_t n_blocks, float * dst) {
    const int64_t bb = type_block_bytes(type);
    const uint8_t * b = static_cast<const uint8_t *>(row) + first_block * bb;
    const __m256 zero = _mm256_setzero_ps();
    for (int64_t i = 0; i < n_blocks; ++i, b += bb, dst += QUANT_BLOCK) {
        switch (type) {
        case dtype::q4_0:
            scale_store<false>(_mm256_sub_epi8(nibbles(b + 2), _mm256_set1_epi8(8)), half_at(b), zero, dst);
            break;
        case dtype::q4_1:
            scale_store<true>(nibbles(b + 4), half_at(b), half_at(b + 2), dst);
            break;
        case dtype::q5_0:
            scale_store<false>(_mm256_sub_epi8(_mm256_or_si256(nibbles(b + 6), fifth_bits(b + 2)), _mm256_set1_epi8(16)),
                               half_at(b), zero, dst);
            break;
        case dtype::q5_1:
            scale_store<true>(_mm256_or_si256(nibbles(b + 8), fifth_bits(b + 4)), half_at(b), half_at(b + 2), dst);
            break;
        case dtype::q8_0:
            scale_store<false>(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + 2)), half_at(b), zero, dst);
            break;
        default:
            return;
        }
    }
}

} // namespace amanuensis::simd

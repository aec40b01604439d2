// The decoder's few-row products over block-quantized weights with 8-bit activations and
// AVX-512 VNNI integer dot products, as ggml computes them on the CPU: each input row is
// quantized once per call to int8 per 32-element block (d = amax / 127, round to nearest), and a
// pair of weight blocks (64 quants) meets the row's pair of activation blocks in one vpdpbusd
// (u8 x s8, 4 products per lane); the 16 int32 lanes (8 per block) are converted and scaled by
// d_w·d_x of their block. q4/q5 quants are the unsigned operand; their offset (q4_0: 8, q5_0: 16)
// and minimum (q4_1/q5_1: m) come in through d_x·Σq_x of each activation block. q8_0 quants are
// signed, so the activations are the unsigned operand, shifted by 128, and 128·Σw is taken off.
// The numerics are those of 8-bit activations (the golden README's 8-bit tolerance class).
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics fill the unused lanes of their masked builtins from a deliberately
// undefined vector, which its own flow analysis then reports as "used uninitialized" at every
// inlined call (hundreds of lines of false warnings): off for this file only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "aligned_buffer.h"
#include "gemm.h"
#include "gemv_quant_rows.h"
#include "quant.h"

#define AMANUENSIS_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))

namespace amanuensis::simd {

namespace {

constexpr int ROWS_PER_PASS = 8;

template <dtype T> struct layout;
template <> struct layout<dtype::q4_0> { static constexpr int bytes = 18, qs = 2, qh = -1, min = -1, offset = 8; };
template <> struct layout<dtype::q4_1> { static constexpr int bytes = 20, qs = 4, qh = -1, min = 2, offset = 0; };
template <> struct layout<dtype::q5_0> { static constexpr int bytes = 22, qs = 6, qh = 2, min = -1, offset = 16; };
template <> struct layout<dtype::q5_1> { static constexpr int bytes = 24, qs = 8, qh = 4, min = 2, offset = 0; };
template <> struct layout<dtype::q8_0> { static constexpr int bytes = 34, qs = 2, qh = -1, min = -1, offset = 0; };

// The activations of one call, quantized: per input row, K int8 quants (plus 128 when the
// weights are q8_0), and per pair of blocks two 16-lane vectors: d_x of block A in lanes 0..7 and
// of block B in 8..15, and likewise d_x·Σq_x / 8 (summed over 8 lanes it gives d_x·Σq_x).
struct quantized_rows {
    const uint8_t * q = nullptr;    // [M, K]
    const float * scales = nullptr; // [M, pairs, 16]
    const float * sums = nullptr;   // [M, pairs, 16]
    int pairs = 0;
};

thread_local aligned_buffer<uint8_t> tls_quants;
thread_local aligned_buffer<float> tls_scales;

AMANUENSIS_VNNI quantized_rows quantize_rows(int M, int K, const float * A, int64_t lda, bool shift_unsigned) {
    const int n_blocks = K / static_cast<int>(QUANT_BLOCK);
    const int pairs = (n_blocks + 1) / 2;
    uint8_t * q = tls_quants.reserve(static_cast<size_t>(M) * pairs * 64);
    float * scales = tls_scales.reserve(static_cast<size_t>(M) * pairs * 32);
    float * sums = scales + static_cast<size_t>(M) * pairs * 16;
    for (int m = 0; m < M; ++m) {
        const float * x = A + static_cast<int64_t>(m) * lda;
        uint8_t * qm = q + static_cast<int64_t>(m) * pairs * 64;
        float * sm = scales + static_cast<int64_t>(m) * pairs * 16;
        float * um = sums + static_cast<int64_t>(m) * pairs * 16;
        for (int b = 0; b < pairs * 2; ++b) {
            float d = 0.0f, sum = 0.0f;
            if (b < n_blocks) {
                const __m512 lo = _mm512_loadu_ps(x + b * QUANT_BLOCK);
                const __m512 hi = _mm512_loadu_ps(x + b * QUANT_BLOCK + 16);
                const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(lo), _mm512_abs_ps(hi)));
                d = amax / 127.0f;
                const __m512 id = _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
                const __m512i qlo = _mm512_cvtps_epi32(_mm512_mul_ps(lo, id));
                const __m512i qhi = _mm512_cvtps_epi32(_mm512_mul_ps(hi, id));
                sum = d * static_cast<float>(_mm512_reduce_add_epi32(_mm512_add_epi32(qlo, qhi)));
                __m128i blo = _mm512_cvtepi32_epi8(qlo);
                __m128i bhi = _mm512_cvtepi32_epi8(qhi);
                if (shift_unsigned) {
                    blo = _mm_xor_si128(blo, _mm_set1_epi8(static_cast<char>(0x80)));
                    bhi = _mm_xor_si128(bhi, _mm_set1_epi8(static_cast<char>(0x80)));
                }
                _mm_storeu_si128(reinterpret_cast<__m128i *>(qm + b * 32), blo);
                _mm_storeu_si128(reinterpret_cast<__m128i *>(qm + b * 32 + 16), bhi);
            } else {
                // the missing half of an odd last pair: quants that contribute nothing
                std::memset(qm + b * 32, shift_unsigned ? 0x80 : 0, 32);
            }
            const int lane0 = (b / 2) * 16 + (b % 2) * 8;
            for (int l = 0; l < 8; ++l) {
                sm[lane0 + l] = d;
                um[lane0 + l] = sum / 8.0f;
            }
        }
    }
    return {q, scales, sums, pairs};
}

AMANUENSIS_VNNI inline int16_t half_bits(const uint8_t * p) {
    int16_t h;
    std::memcpy(&h, p, sizeof h);
    return h;
}

// [value of block A x 8 | value of block B x 8] for the f16 fields at a and b.
AMANUENSIS_VNNI inline __m512 pair_halves(const uint8_t * a, const uint8_t * b) {
    return _mm512_cvtph_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi16(half_bits(a))), _mm_set1_epi16(half_bits(b)), 1));
}

// The 64 quants of blocks A and B in element order (A's 32, then B's); when `single`, B is absent
// and its quants are zero (the caller's activations for it are neutral too).
template <dtype T>
AMANUENSIS_VNNI inline __m512i pair_quants(const uint8_t * a, const uint8_t * b, bool single) {
    using L = layout<T>;
    if constexpr (T == dtype::q8_0) {
        const __m256i qa = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(a + L::qs));
        const __m256i qb = single ? _mm256_setzero_si256() : _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + L::qs));
        return _mm512_inserti64x4(_mm512_castsi256_si512(qa), qb, 1);
    } else {
        const __m128i ra = _mm_loadu_si128(reinterpret_cast<const __m128i *>(a + L::qs));
        const __m128i rb = single ? _mm_setzero_si128() : _mm_loadu_si128(reinterpret_cast<const __m128i *>(b + L::qs));
        const __m256i raw = _mm256_inserti128_si256(_mm256_castsi128_si256(ra), rb, 1);
        const __m256i mask = _mm256_set1_epi8(0x0F);
        const __m256i lo = _mm256_and_si256(raw, mask);                       // [A 0..15 | B 0..15]
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), mask); // [A 16..31 | B 16..31]
        // 128-bit lanes: A lo, A hi, B lo, B hi
        const __m512i idx = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
        __m512i q = _mm512_permutex2var_epi64(_mm512_castsi256_si512(lo), idx, _mm512_castsi256_si512(hi));
        if constexpr (L::qh >= 0) {
            uint32_t qa, qb = 0;
            std::memcpy(&qa, a + L::qh, 4);
            if (!single) std::memcpy(&qb, b + L::qh, 4);
            const __mmask64 fifth = static_cast<__mmask64>(qa) | (static_cast<__mmask64>(qb) << 32);
            q = _mm512_mask_add_epi8(q, fifth, q, _mm512_set1_epi8(16));
        }
        return q;
    }
}

template <dtype T, int MG>
AMANUENSIS_VNNI void row_dots(const uint8_t * row, int n_blocks, const quantized_rows & xq, int m0, float out[MG]) {
    using L = layout<T>;
    __m512 acc[MG], corr[MG];
    for (int i = 0; i < MG; ++i) acc[i] = corr[i] = _mm512_setzero_ps();
    const __m512i shift = _mm512_set1_epi8(static_cast<char>(0x80));
    for (int p = 0; p < xq.pairs; ++p) {
        const uint8_t * a = row + static_cast<int64_t>(2 * p) * L::bytes;
        const bool single = 2 * p + 1 >= n_blocks;
        const uint8_t * b = single ? a : a + L::bytes;
        const __m512i w = pair_quants<T>(a, b, single);
        const __m512 dw = pair_halves(a, b);
        __m512i wsum128;
        if constexpr (T == dtype::q8_0) wsum128 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), shift, w);
        __m512 mw;
        if constexpr (L::min >= 0) mw = pair_halves(a + L::min, b + L::min);
        for (int i = 0; i < MG; ++i) {
            const int64_t r = static_cast<int64_t>(m0 + i) * xq.pairs + p;
            const __m512i x = _mm512_loadu_si512(xq.q + r * 64);
            __m512i dot;
            if constexpr (T == dtype::q8_0) {
                dot = _mm512_sub_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), x, w), wsum128);
            } else {
                dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w, x);
            }
            const __m512 dx = _mm512_loadu_ps(xq.scales + r * 16);
            acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw, dx), acc[i]);
            if constexpr (L::min >= 0) {
                corr[i] = _mm512_fmadd_ps(mw, _mm512_loadu_ps(xq.sums + r * 16), corr[i]);
            } else if constexpr (L::offset != 0) {
                corr[i] = _mm512_fmadd_ps(dw, _mm512_loadu_ps(xq.sums + r * 16), corr[i]);
            }
        }
    }
    for (int i = 0; i < MG; ++i) {
        float v = _mm512_reduce_add_ps(acc[i]);
        if constexpr (L::min >= 0) v += _mm512_reduce_add_ps(corr[i]);
        else if constexpr (L::offset != 0) v -= static_cast<float>(L::offset) * _mm512_reduce_add_ps(corr[i]);
        out[i] = v;
    }
}

// row_dots over a pass of the shared row loop.
template <dtype T>
struct vnni_dots {
    int n_blocks;
    quantized_rows xq;
    template <int MG>
    AMANUENSIS_VNNI void run(const uint8_t * row, int m0, float * out) const {
        row_dots<T, MG>(row, n_blocks, xq, m0, out);
    }
};

template <dtype T>
void gemv_vnni_typed(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W, float * C,
                     int64_t ldc, const gemm_epilogue & ep) {
    const int n_blocks = K / static_cast<int>(QUANT_BLOCK);
    const quantized_rows xq = quantize_rows(M, K, A, lda, T == dtype::q8_0);
    gemv_quant_rows<ROWS_PER_PASS>(M, n_begin, n_end, static_cast<const uint8_t *>(W.data),
                                   static_cast<int64_t>(n_blocks) * layout<T>::bytes, C, ldc, ep, vnni_dots<T>{n_blocks, xq});
}

} // namespace

void gemv_quantized_vnni(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                         float * C, int64_t ldc, const gemm_epilogue & ep) {
    switch (W.type) {
    case dtype::q4_0: return gemv_vnni_typed<dtype::q4_0>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q4_1: return gemv_vnni_typed<dtype::q4_1>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q5_0: return gemv_vnni_typed<dtype::q5_0>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q5_1: return gemv_vnni_typed<dtype::q5_1>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    case dtype::q8_0: return gemv_vnni_typed<dtype::q8_0>(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
    default: return;
    }
}

} // namespace amanuensis::simd

// AVX2/FMA vector math used by the SIMD kernels. Every function here carries the
// target attribute, so this header may be included from files built for baseline x86-64;
// callers must check simd_kernels_supported() first.
#pragma once

#include <immintrin.h>

#define AMANUENSIS_SIMD __attribute__((target("avx2,fma,f16c")))

namespace amanuensis::simd {

// exp(x) for 8 floats: Cody-Waite range reduction to x = n ln2 + r, a degree-6 polynomial
// for exp(r) (the classic Cephes expf coefficients), then scaling by 2^n through the exponent bits.
AMANUENSIS_SIMD inline __m256 exp_ps(__m256 x) {
    const __m256 hi = _mm256_set1_ps(88.3762626647949f);
    const __m256 lo = _mm256_set1_ps(-87.3365447505531f);
    x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    const __m256 r2 = _mm256_mul_ps(r, r);
    p = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

// erf(x) for 8 floats, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
AMANUENSIS_SIMD inline __m256 erf_ps(__m256 x) {
    const __m256 sign_mask = _mm256_set1_ps(-0.0f);
    const __m256 sign = _mm256_and_ps(x, sign_mask);
    const __m256 ax = _mm256_andnot_ps(sign_mask, x);
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), ax, one));
    __m256 poly = _mm256_set1_ps(1.061405429f);
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(-1.453152027f));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(1.421413741f));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(-0.284496736f));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(0.254829592f));
    poly = _mm256_mul_ps(poly, t);
    const __m256 e = exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(ax, ax)));
    const __m256 y = _mm256_fnmadd_ps(poly, e, one);
    return _mm256_or_ps(y, sign);
}

// Exact GELU, x * Phi(x).
AMANUENSIS_SIMD inline __m256 gelu_ps(__m256 x) {
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256 phi = _mm256_fmadd_ps(half, erf_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752440f))), half);
    return _mm256_mul_ps(x, phi);
}

AMANUENSIS_SIMD inline float hsum_ps(__m256 v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 s2 = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

AMANUENSIS_SIMD inline float hmax_ps(__m256 v) {
    const __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 s2 = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s2, _mm_movehdup_ps(s2)));
}

} // namespace amanuensis::simd

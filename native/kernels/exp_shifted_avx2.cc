// AVX2/FMA double-precision exp for exp_shifted.h: x = k ln2 + r with |r| <= ln2 / 2 (ln2 split
// in two parts, Cody and Waite), e^r by its Taylor polynomial to degree 13 (truncation error
// below 1e-17 on that interval), then scaled by 2^k through the exponent bits.
#include <cmath>

#include "exp_shifted.h"
#include "simd_math.h"

namespace amanuensis::simd {

namespace {

// below this e^x is under the smallest normal double: the result is 0 (a logit so far below the
// row's max carries no weight in any sum it enters)
constexpr double min_exponent = -708.0;

AMANUENSIS_SIMD inline __m256d exp_pd(__m256d x) {
    const __m256d log2e = _mm256_set1_pd(1.4426950408889634);
    const __m256d ln2_hi = _mm256_set1_pd(6.93147180369123816490e-01);
    const __m256d ln2_lo = _mm256_set1_pd(1.90821492927058770002e-10);
    const __m256d too_small = _mm256_cmp_pd(x, _mm256_set1_pd(min_exponent), _CMP_LT_OQ);  // -inf included
    // the constant first: max_pd returns its second operand for a NaN, so a NaN stays NaN
    x = _mm256_max_pd(_mm256_set1_pd(min_exponent), x);
    const __m256d k = _mm256_round_pd(_mm256_mul_pd(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(k, ln2_hi, x);
    r = _mm256_fnmadd_pd(k, ln2_lo, r);
    // 1/13! ... 1/0!, Horner
    static const double c[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
                               1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
    __m256d p = _mm256_set1_pd(c[0]);
    for (int i = 1; i < 14; i++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[i]));
    // 2^k: k in [-1021, 0] here, so k + 1023 is a valid biased exponent
    const __m128i k32 = _mm256_cvtpd_epi32(k);
    const __m256i biased = _mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(k32), _mm256_set1_epi64x(1023)), 52);
    const __m256d scaled = _mm256_mul_pd(p, _mm256_castsi256_pd(biased));
    return _mm256_andnot_pd(too_small, scaled);
}

} // namespace

AMANUENSIS_SIMD void exp_shifted(const float * x, int n, double shift, double divisor, double * out) {
    const __m256d vshift = _mm256_set1_pd(shift);
    const __m256d vdivisor = _mm256_set1_pd(divisor);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
        _mm256_storeu_pd(out + i, exp_pd(_mm256_div_pd(_mm256_sub_pd(v, vshift), vdivisor)));
    }
    for (; i < n; i++) out[i] = std::exp((double(x[i]) - shift) / divisor);
}

} // namespace amanuensis::simd

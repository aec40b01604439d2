// AVX2/FMA versions of the row operations in ops.h.
#include <cmath>
#include <limits>

#include "ops.h"
#include "simd_math.h"

namespace amanuensis::simd {

// scale > 0, so max(scale * s) = scale * max(s).
AMANUENSIS_SIMD void softmax_row(int n, float * s, float scale) {
    __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(s + i));
    }
    float max_v = hmax_ps(vmax);
    for (; i < n; ++i) {
        max_v = std::fmax(max_v, s[i]);
    }
    const __m256 vscale = _mm256_set1_ps(scale);
    const __m256 vshift = _mm256_set1_ps(max_v);
    __m256 vsum = _mm256_setzero_ps();
    i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp_ps(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(s + i), vshift), vscale));
        _mm256_storeu_ps(s + i, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum_ps(vsum);
    for (; i < n; ++i) {
        s[i] = std::exp((s[i] - max_v) * scale);
        sum += s[i];
    }
    const __m256 vinv = _mm256_set1_ps(1.0f / sum);
    i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(s + i, _mm256_mul_ps(_mm256_loadu_ps(s + i), vinv));
    }
    for (; i < n; ++i) {
        s[i] *= 1.0f / sum;
    }
}

} // namespace amanuensis::simd

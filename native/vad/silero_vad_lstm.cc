#include "vad/silero_vad_lstm.h"

#include <cmath>

#include "kernels/simd_math.h"
#include "vad/silero_vad_file.h"

namespace amanuensis {

namespace {

constexpr int n = silero_vad_dims::hidden;

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

void update_portable(const float * g, float * c, float * h) {
    for (int j = 0; j < n; ++j) {
        c[j] = sigmoid(g[n + j]) * c[j] + sigmoid(g[j]) * std::tanh(g[2 * n + j]);
        h[j] = sigmoid(g[3 * n + j]) * std::tanh(c[j]);
    }
}

AMANUENSIS_SIMD inline __m256 sigmoid_ps(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, simd::exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

// tanh(x) = 2 sigmoid(2x) - 1: exp_ps clamps its argument, so large |x| saturates to +-1
AMANUENSIS_SIMD inline __m256 tanh_ps(__m256 x) {
    const __m256 two = _mm256_set1_ps(2.0f);
    return _mm256_fmsub_ps(two, sigmoid_ps(_mm256_mul_ps(two, x)), _mm256_set1_ps(1.0f));
}

AMANUENSIS_SIMD void update_simd(const float * g, float * c, float * h) {
    for (int j = 0; j < n; j += 8) {
        const __m256 i_gate = sigmoid_ps(_mm256_loadu_ps(g + j));
        const __m256 f_gate = sigmoid_ps(_mm256_loadu_ps(g + n + j));
        const __m256 g_gate = tanh_ps(_mm256_loadu_ps(g + 2 * n + j));
        const __m256 o_gate = sigmoid_ps(_mm256_loadu_ps(g + 3 * n + j));
        const __m256 c_new = _mm256_fmadd_ps(f_gate, _mm256_loadu_ps(c + j), _mm256_mul_ps(i_gate, g_gate));
        _mm256_storeu_ps(c + j, c_new);
        _mm256_storeu_ps(h + j, _mm256_mul_ps(o_gate, tanh_ps(c_new)));
    }
}

} // namespace

void silero_lstm_update(const float * gates, float * c, float * h, kernel_path path) {
    if (path == kernel_path::portable) {
        update_portable(gates, c, h);
    } else {
        update_simd(gates, c, h);
    }
}

} // namespace amanuensis

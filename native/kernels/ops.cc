#include "ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace amanuensis {

namespace {

// The sum in double of term(i) for i < n, in eight partial sums, so that the additions do not
// wait on each other (one chain of 384 dependent double additions made layer norm a sixth of the
// alignment pass's serial time).
template <typename Term>
double chained_sum(int n, Term term) {
    constexpr int CHAINS = 8;
    double part[CHAINS] = {};
    int i = 0;
    for (; i + CHAINS <= n; i += CHAINS) {
        for (int j = 0; j < CHAINS; ++j) part[j] += term(i + j);
    }
    for (; i < n; ++i) part[0] += term(i);
    double s = 0.0;
    for (int j = 0; j < CHAINS; ++j) s += part[j];
    return s;
}

} // namespace

void layer_norm_rows(int rows, int n, const float * x, int64_t ldx, float * y, int64_t ldy, const float * gamma,
                     const float * beta, float eps) {
    for (int r = 0; r < rows; ++r) {
        const float * xr = x + r * ldx;
        float * yr = y + r * ldy;
        // two passes in double: the mean of 384..1280 values should not lose digits
        const double mean = chained_sum(n, [&](int i) { return static_cast<double>(xr[i]); }) / n;
        const double var = chained_sum(n, [&](int i) {
            const double d = xr[i] - mean;
            return d * d;
        }) / n;
        const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
        const float m = static_cast<float>(mean);
        for (int i = 0; i < n; ++i) {
            yr[i] = (xr[i] - m) * inv * gamma[i] + beta[i];
        }
    }
}

namespace {

void softmax_row_portable(int n, float * s, float scale) {
    float max_v = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i) {
        max_v = std::max(max_v, s[i]);
    }
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
        s[i] = std::exp((s[i] - max_v) * scale);
        sum += s[i];
    }
    const float inv = 1.0f / sum;
    for (int i = 0; i < n; ++i) {
        s[i] *= inv;
    }
}

} // namespace

void softmax_rows(int rows, int n, float * s, int64_t lds, float scale, const int * valid, kernel_path path) {
    for (int r = 0; r < rows; ++r) {
        float * sr = s + r * lds;
        const int m = valid != nullptr ? std::clamp(valid[r], 1, n) : n;
        if (path != kernel_path::portable) {
            simd::softmax_row(m, sr, scale);
        } else {
            softmax_row_portable(m, sr, scale);
        }
        std::fill(sr + m, sr + n, 0.0f);
    }
}

bool all_finite(const float * x, int64_t n) {
    // a float is NaN or infinite when its exponent bits are all set; an integer OR over the
    // array vectorises (a float reduction would not, without fast-math), one branch per array
    uint32_t bad = 0;
    for (int64_t i = 0; i < n; ++i) {
        uint32_t bits;
        std::memcpy(&bits, x + i, sizeof bits);
        bad |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    return bad == 0;
}

} // namespace amanuensis

#include "alignment_matrix.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace amanuensis {

namespace {

// Sorts a..h's seven values far enough that e is their median: the 16 compare-exchanges of the
// JavaScript reference's network, in its order.
inline void exchange(double & lo, double & hi) {
    const double t = std::min(lo, hi);
    hi = std::max(lo, hi);
    lo = t;
}

// out[c] = median of padded[c .. c + 6] for c < cols (padded: a row with 3 mirrored values each side).
void median7_row(const double * padded, int cols, double * out) {
    for (int c = 0; c < cols; ++c) {
        double a = padded[c], b = padded[c + 1], d = padded[c + 2], e = padded[c + 3], f = padded[c + 4],
               g = padded[c + 5], h = padded[c + 6];
        exchange(a, h);
        exchange(d, e);
        exchange(f, g);
        exchange(a, d);
        exchange(b, f);
        exchange(e, h);
        exchange(a, b);
        exchange(d, g);
        exchange(e, f);
        exchange(b, d);
        exchange(f, h);
        exchange(d, e);
        exchange(f, g);
        exchange(b, d);
        exchange(e, f);
        exchange(g, h);
        out[c] = e;
    }
}

} // namespace

bool alignment_matrix(const float * weights, int n_heads, int n_tokens, int n_positions, int first_row, int last_row,
                      double * out) {
    const int rows = last_row - first_row;
    const int64_t cells = static_cast<int64_t>(rows) * n_positions;
    const int half = ALIGNMENT_MEDIAN_WIDTH / 2;
    std::fill(out, out + cells, 0.0);
    std::vector<double> mean(n_positions), sq(n_positions), kept(n_positions), padded(n_positions + 2 * half),
        filtered(n_positions);
    for (int hd = 0; hd < n_heads; ++hd) {
        const float * head = weights + static_cast<int64_t>(hd) * n_tokens * n_positions;
        std::fill(mean.begin(), mean.end(), 0.0);
        std::fill(sq.begin(), sq.end(), 0.0);
        for (int t = 0; t < n_tokens; ++t) {
            const float * row = head + static_cast<int64_t>(t) * n_positions;
            for (int p = 0; p < n_positions; ++p) mean[p] += static_cast<double>(row[p]);
        }
        for (int p = 0; p < n_positions; ++p) mean[p] /= n_tokens;
        for (int t = 0; t < n_tokens; ++t) {
            const float * row = head + static_cast<int64_t>(t) * n_positions;
            for (int p = 0; p < n_positions; ++p) {
                const double d = static_cast<double>(row[p]) - mean[p];
                sq[p] += d * d;
            }
        }
        for (int p = 0; p < n_positions; ++p) sq[p] = std::sqrt(sq[p] / n_tokens);  // population std
        for (int t = first_row; t < last_row; ++t) {
            const float * row = head + static_cast<int64_t>(t) * n_positions;
            for (int p = 0; p < n_positions; ++p) {
                kept[p] = (static_cast<double>(row[p]) - mean[p]) / sq[p];
                if (!std::isfinite(kept[p])) {
                    return false;
                }
            }
            const double * values = kept.data();
            if (n_positions > half) {
                for (int j = -half; j < n_positions + half; ++j) {
                    const int at = j < 0 ? -j : j >= n_positions ? 2 * (n_positions - 1) - j : j;
                    padded[j + half] = kept[at];
                }
                median7_row(padded.data(), n_positions, filtered.data());
                values = filtered.data();
            }
            double * dst = out + static_cast<int64_t>(t - first_row) * n_positions;
            for (int p = 0; p < n_positions; ++p) dst[p] += values[p];
        }
    }
    for (int64_t i = 0; i < cells; ++i) out[i] /= n_heads;
    return true;
}

} // namespace amanuensis

#include "exp_shifted.h"

#include <cmath>

namespace amanuensis {

void exp_shifted(const float * x, int n, double shift, double divisor, double * out, kernel_path path) {
    if (path != kernel_path::portable) {
        simd::exp_shifted(x, n, shift, divisor, out);
        return;
    }
    for (int i = 0; i < n; i++) out[i] = std::exp((double(x[i]) - shift) / divisor);
}

} // namespace amanuensis

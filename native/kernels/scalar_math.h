// Scalar activation functions shared by the portable kernels and the SIMD kernels' edges.
#pragma once

#include <cmath>

namespace amanuensis {

// Exact GELU, x * Phi(x), as torch.nn.GELU() with approximate='none'.
inline float gelu_exact(float x) {
    return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752440f));
}

} // namespace amanuensis

// The GEMM epilogue applied to finished products, shared by the portable, AVX2 and AVX-512
// kernels: accumulate into C or overwrite it on the first depth block, then bias and GELU on
// the last one.
#pragma once

#include "gemm.h"
#include "scalar_math.h"
#include "simd_math.h"

namespace amanuensis {

// One output: `prior` is C's current value, `product` the block's partial product, n its column.
inline float apply_epilogue(float prior, float product, int n, bool first, bool last, const float * bias,
                            const gemm_epilogue & ep) {
    float v = (first && !ep.accumulate) ? product : prior + product;
    if (last) {
        if (bias != nullptr) {
            v += bias[n];
        }
        if (ep.gelu) {
            v = gelu_exact(v);
        }
    }
    return v;
}

namespace simd {

// Eight consecutive outputs at c (bias, when given, already offset to them); callers must
// check simd_kernels_supported().
AMANUENSIS_SIMD inline __m256 apply_epilogue8(__m256 product, const float * c, const float * bias, bool first, bool last,
                                              const gemm_epilogue & ep) {
    __m256 v = (first && !ep.accumulate) ? product : _mm256_add_ps(_mm256_loadu_ps(c), product);
    if (last) {
        if (bias != nullptr) {
            v = _mm256_add_ps(v, _mm256_loadu_ps(bias));
        }
        if (ep.gelu) {
            v = gelu_ps(v);
        }
    }
    return v;
}

} // namespace simd

} // namespace amanuensis

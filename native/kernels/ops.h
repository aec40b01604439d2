// Row-wise operations of the transformer blocks: layer norm and softmax; a finiteness check.
#pragma once

#include <cstdint>

#include "tensor_view.h"

namespace amanuensis {

// y[r, :] = (x[r, :] - mean) / sqrt(var + eps) * gamma + beta for r in [0, rows); x, y [rows, n]
// with row strides; y may alias x.
void layer_norm_rows(int rows, int n, const float * x, int64_t ldx, float * y, int64_t ldy, const float * gamma,
                     const float * beta, float eps);

// In place: s[r, :] = softmax(scale * s[r, :]) over the first `valid[r]` columns of each row,
// zero beyond them (the causal mask). valid == nullptr means all n columns.
void softmax_rows(int rows, int n, float * s, int64_t lds, float scale, const int * valid, kernel_path path);

// Whether every one of x[0, n) is finite (a stage's output checked for NaN or Infinity).
bool all_finite(const float * x, int64_t n);

namespace simd {
void softmax_row(int n, float * s, float scale);
} // namespace simd

} // namespace amanuensis

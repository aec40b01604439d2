// exp((x[i] - shift) / divisor) in double for a row of float logits: what the token loop's
// log-sum-exp, log-softmax and sampling weights need for every one of the vocabulary's ~52k
// logits at every step. The AVX2 version is a vectorized double exp accurate to about one ulp,
// several times faster than calling std::exp per element.
#pragma once

#include "tensor_view.h"

namespace amanuensis {

// out[i] = exp((double(x[i]) - shift) / divisor) for i in [0, n); an x of -inf gives 0.
// `shift` is at least every finite x (the row's max), so no result exceeds 1; divisor > 0.
void exp_shifted(const float * x, int n, double shift, double divisor, double * out, kernel_path path);

namespace simd {
void exp_shifted(const float * x, int n, double shift, double divisor, double * out);
} // namespace simd

} // namespace amanuensis

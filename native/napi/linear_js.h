// linearProduct: one linear layer's product through the encoder's parallel GEMM, for tests that
// hold it against a float64 reference (the shared packing of large weights in depth chunks).
#pragma once

#include <napi.h>

namespace amanuensis {

// linearProduct(A, W, { m, n, k, ggmlType?, bias?, gelu?, c?, threads?, simd?, avx512? }) -> Promise<Float32Array [m, n]>:
// C = A W^T (+ bias, GELU) with A [m, k] f32 and W [n, k] (PyTorch's [out, in]); W a
// Float32Array for ggml type 0 (F32, the default), else the bytes of f16 values or ggml blocks
// (any other type a model file's weights can have); `c` given means C += (the residual epilogue).
Napi::Value linear_product(const Napi::CallbackInfo & info);

} // namespace amanuensis

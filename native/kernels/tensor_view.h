// Plain descriptions of the matrices the kernels read: no ownership, no Node-API types.
#pragma once

#include <cstdint>

namespace amanuensis {

// Element types of model weights, numbered as ggml_type (0 = F32, 1 = F16, then ggml's
// 32-element block types; kernels/quant.h describes those).
enum class dtype : int32_t { f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8 };

// A row-major matrix [rows, cols] of f32, f16 or block-quantized elements in owned memory whose
// start is aligned (rows of a quantized matrix are row_bytes(type, cols) apart, not aligned).
struct matrix_view {
    const void * data = nullptr;
    dtype type = dtype::f32;
    int64_t rows = 0;
    int64_t cols = 0;
};

// Which implementation of the kernels runs.
// portable: scalar C++; simd: AVX2/FMA/F16C; simd512: the same plus the AVX-512 GEMM micro-kernel;
// simd512_int8: simd512, and the decoder's products over quantized weights with 8-bit activations
// and AVX-512 VNNI integer dot products (as ggml), instead of f32 activations.
enum class kernel_path { portable, simd, simd512, simd512_int8 };

inline bool uses_avx512(kernel_path path) { return path == kernel_path::simd512 || path == kernel_path::simd512_int8; }

} // namespace amanuensis

// ggml's 32-element block formats (q4_0, q4_1, q5_0, q5_1, q8_0) as whisper.cpp's quantize tool
// writes them, and their exact dequantization to f32. Blocks are read byte by byte (memcpy),
// because tensor data sits at arbitrary offsets in the file and rows are not aligned.
#pragma once

#include <cstdint>

#include "tensor_view.h"

namespace amanuensis {

// Elements per block of every quantized type.
constexpr int64_t QUANT_BLOCK = 32;

// Whether the type is one of the block-quantized ones.
bool is_quantized(dtype type);

// Bytes of one block (quantized types) or of one element (f32, f16).
int64_t type_block_bytes(dtype type);

// Bytes of a row of `cols` elements; for quantized types cols is a multiple of QUANT_BLOCK.
int64_t row_bytes(dtype type, int64_t cols);

// ggml's name of the type ("Q8_0"…), for messages.
const char * dtype_name(dtype type);

// The type for a ggml_type number, or false when the weights cannot be held in that type.
bool dtype_from_ggml(int32_t ggml_type, dtype & out);

// dst[i] = element (first_block * 32 + i) of the quantized row at `row`, for n_blocks blocks.
// The SIMD paths use AVX2 and give the same values bit for bit.
void dequantize_blocks(dtype type, const void * row, int64_t first_block, int64_t n_blocks, float * dst,
                       kernel_path path = kernel_path::portable);

// Elements [k0, k0 + n) of row `row` of W as f32, whatever W's type: f16 widened, quantized
// blocks dequantized (k0 and n multiples of QUANT_BLOCK then).
void weight_row_f32(const matrix_view & W, int64_t row, int64_t k0, int64_t n, float * dst,
                    kernel_path path = kernel_path::portable);

namespace simd {
// quant_avx2.cc; called only when simd_kernels_supported().
void dequantize_blocks(dtype type, const void * row, int64_t first_block, int64_t n_blocks, float * dst);
} // namespace simd

// One element of W as f32 (slow; for packers that read weights element by element).
float weight_element(const matrix_view & W, int64_t row, int64_t col);

} // namespace amanuensis

#include "quant.h"

#include <cstring>

#include "fp16.h"

namespace amanuensis {

namespace {

float half_at(const uint8_t * p) {
    uint16_t h;
    std::memcpy(&h, p, sizeof h);
    return fp16_to_fp32(h);
}

uint32_t u32_at(const uint8_t * p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;  // ggml files are little-endian, as every host this addon builds for
}

// Layouts (ggml-common.h): q4_0 {d, qs[16]}, q4_1 {d, m, qs[16]}, q5_0 {d, qh[4], qs[16]},
// q5_1 {d, m, qh[4], qs[16]}, q8_0 {d, qs[32]}. In the 4/5-bit types byte j of qs holds element
// j in its low nibble and element j + 16 in its high nibble; bit j of qh is the fifth bit of element j.
void dequantize_block(dtype type, const uint8_t * b, float * y) {
    switch (type) {
    case dtype::q4_0: {
        const float d = half_at(b);
        const uint8_t * qs = b + 2;
        for (int j = 0; j < 16; ++j) {
            y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
            y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
        }
        return;
    }
    case dtype::q4_1: {
        const float d = half_at(b);
        const float m = half_at(b + 2);
        const uint8_t * qs = b + 4;
        for (int j = 0; j < 16; ++j) {
            y[j] = static_cast<float>(qs[j] & 0x0F) * d + m;
            y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
        }
        return;
    }
    case dtype::q5_0: {
        const float d = half_at(b);
        const uint32_t qh = u32_at(b + 2);
        const uint8_t * qs = b + 6;
        for (int j = 0; j < 16; ++j) {
            const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
            const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
            y[j] = static_cast<float>(lo - 16) * d;
            y[j + 16] = static_cast<float>(hi - 16) * d;
        }
        return;
    }
    case dtype::q5_1: {
        const float d = half_at(b);
        const float m = half_at(b + 2);
        const uint32_t qh = u32_at(b + 4);
        const uint8_t * qs = b + 8;
        for (int j = 0; j < 16; ++j) {
            const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
            const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
            y[j] = static_cast<float>(lo) * d + m;
            y[j + 16] = static_cast<float>(hi) * d + m;
        }
        return;
    }
    case dtype::q8_0: {
        const float d = half_at(b);
        const int8_t * qs = reinterpret_cast<const int8_t *>(b + 2);
        for (int j = 0; j < 32; ++j) {
            y[j] = static_cast<float>(qs[j]) * d;
        }
        return;
    }
    default:
        return;
    }
}

} // namespace

bool is_quantized(dtype type) {
    return type == dtype::q4_0 || type == dtype::q4_1 || type == dtype::q5_0 || type == dtype::q5_1 || type == dtype::q8_0;
}

int64_t type_block_bytes(dtype type) {
    switch (type) {
    case dtype::f32: return 4;
    case dtype::f16: return 2;
    case dtype::q4_0: return 18;
    case dtype::q4_1: return 20;
    case dtype::q5_0: return 22;
    case dtype::q5_1: return 24;
    case dtype::q8_0: return 34;
    }
    return 0;
}

int64_t row_bytes(dtype type, int64_t cols) {
    return is_quantized(type) ? cols / QUANT_BLOCK * type_block_bytes(type) : cols * type_block_bytes(type);
}

const char * dtype_name(dtype type) {
    switch (type) {
    case dtype::f32: return "F32";
    case dtype::f16: return "F16";
    case dtype::q4_0: return "Q4_0";
    case dtype::q4_1: return "Q4_1";
    case dtype::q5_0: return "Q5_0";
    case dtype::q5_1: return "Q5_1";
    case dtype::q8_0: return "Q8_0";
    }
    return "?";
}

bool dtype_from_ggml(int32_t ggml_type, dtype & out) {
    switch (ggml_type) {
    case 0: out = dtype::f32; return true;
    case 1: out = dtype::f16; return true;
    case 2: out = dtype::q4_0; return true;
    case 3: out = dtype::q4_1; return true;
    case 6: out = dtype::q5_0; return true;
    case 7: out = dtype::q5_1; return true;
    case 8: out = dtype::q8_0; return true;
    default: return false;
    }
}

void dequantize_blocks(dtype type, const void * row, int64_t first_block, int64_t n_blocks, float * dst, kernel_path path) {
    if (path != kernel_path::portable) {
        simd::dequantize_blocks(type, row, first_block, n_blocks, dst);
        return;
    }
    const int64_t bb = type_block_bytes(type);
    const uint8_t * b = static_cast<const uint8_t *>(row) + first_block * bb;
    for (int64_t i = 0; i < n_blocks; ++i) {
        dequantize_block(type, b + i * bb, dst + i * QUANT_BLOCK);
    }
}

void weight_row_f32(const matrix_view & W, int64_t row, int64_t k0, int64_t n, float * dst, kernel_path path) {
    const uint8_t * r = static_cast<const uint8_t *>(W.data) + row * row_bytes(W.type, W.cols);
    if (is_quantized(W.type)) {
        dequantize_blocks(W.type, r, k0 / QUANT_BLOCK, n / QUANT_BLOCK, dst, path);
    } else if (W.type == dtype::f16) {
        for (int64_t i = 0; i < n; ++i) {
            dst[i] = load_fp16(r, k0 + i);
        }
    } else {
        std::memcpy(dst, reinterpret_cast<const float *>(r) + k0, static_cast<size_t>(n) * sizeof(float));
    }
}

float weight_element(const matrix_view & W, int64_t row, int64_t col) {
    if (!is_quantized(W.type)) {
        float v;
        weight_row_f32(W, row, col, 1, &v);
        return v;
    }
    float block[QUANT_BLOCK];
    weight_row_f32(W, row, col / QUANT_BLOCK * QUANT_BLOCK, QUANT_BLOCK, block);
    return block[col % QUANT_BLOCK];
}

} // namespace amanuensis

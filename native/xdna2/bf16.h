// bfloat16 (the upper 16 bits of an IEEE binary32) as the XDNA2 GEMM kernels take it.
#pragma once

#include <cstdint>
#include <cstring>

namespace amanuensis {

// Rounds to the nearest bf16, ties to even, as the NPU's float-to-bf16 conversion does.
// NaN stays NaN (a quiet NaN with the sign kept); infinities stay infinite.
inline uint16_t fp32_to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return static_cast<uint16_t>((bits >> 16) | 0x0040u);
    }
    const uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>((bits + rounding) >> 16);
}

// Exact: every bf16 is a binary32.
inline float bf16_to_fp32(uint16_t h) {
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

} // namespace amanuensis

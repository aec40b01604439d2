// IEEE 754 binary16 <-> binary32 conversion for the portable path (the SIMD path uses F16C).
#pragma once

#include <cstdint>
#include <cstring>

namespace amanuensis {

inline float fp16_to_fp32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {
            // subnormal half: renormalise into a normal float
            exponent = 127 - 15 + 1;
            while ((mantissa & 0x400u) == 0) {
                mantissa <<= 1;
                --exponent;
            }
            mantissa &= 0x3ffu;
            bits = sign | (exponent << 23) | (mantissa << 13);
        }
    } else if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// Reads one half from possibly unaligned memory.
inline float load_fp16(const void * base, int64_t index) {
    uint16_t h;
    std::memcpy(&h, static_cast<const unsigned char *>(base) + index * 2, 2);
    return fp16_to_fp32(h);
}

} // namespace amanuensis

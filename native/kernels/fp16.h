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

// binary32 -> binary16, rounding to nearest even (as F16C's vcvtps2ph with round-to-nearest):
// overflow to infinity, NaN kept quiet, subnormal halves where the value needs them.
inline uint16_t fp32_to_fp16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, sizeof x);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    const uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) {
        return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    }
    if (abs >= 0x477ff000u) {  // 65520 and above round past the largest half
        return static_cast<uint16_t>(sign | 0x7c00u);
    }
    if (abs >= 0x38800000u) {  // a normal half: round the 13 dropped mantissa bits, then rebias
        const uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
        return static_cast<uint16_t>(sign | ((rounded - (112u << 23)) >> 13));
    }
    if (abs < 0x33000000u) {  // below half the smallest subnormal: zero
        return sign;
    }
    // a subnormal half: m * 2^-24, m = mantissa (implicit bit included) shifted right
    const uint32_t exponent = abs >> 23;
    const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - exponent;
    uint32_t m = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1u);
    if (rest > half || (rest == half && (m & 1u))) {
        ++m;
    }
    return static_cast<uint16_t>(sign | m);
}

// Reads one half from possibly unaligned memory.
inline float load_fp16(const void * base, int64_t index) {
    uint16_t h;
    std::memcpy(&h, static_cast<const unsigned char *>(base) + index * 2, 2);
    return fp16_to_fp32(h);
}

} // namespace amanuensis

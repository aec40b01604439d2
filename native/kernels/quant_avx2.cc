// AVX2/F16C dequantization of ggml's blocks (quant.h), compiled with per-function target
// attributes and used only on the SIMD kernel paths. Gives the portable code's values bit for
// bit: q * d is exact in f32 for every type, and + m rounds once in both.
#include "quant.h"
#include "quant_blocks_avx2.h"

namespace amanuensis::simd {

namespace {

template <dtype T>
AMANUENSIS_SIMD void dequantize_typed(const uint8_t * b, int64_t n_blocks, float * dst) {
    for (int64_t i = 0; i < n_blocks; ++i, b += block_layout<T>::bytes, dst += QUANT_BLOCK) {
        __m256 q[4];
        quants_to_floats(block_quants<T>(b), q);
        const __m256 d = _mm256_set1_ps(block_scale(b));
        for (int j = 0; j < 4; ++j) {
            __m256 v = _mm256_mul_ps(q[j], d);
            if constexpr (block_layout<T>::has_min) {
                v = _mm256_add_ps(v, _mm256_set1_ps(block_min(b)));
            }
            _mm256_storeu_ps(dst + 8 * j, v);
        }
    }
}

} // namespace

AMANUENSIS_SIMD void dequantize_blocks(dtype type, const void * row, int64_t first_block, int64_t n_blocks, float * dst) {
    const uint8_t * b = static_cast<const uint8_t *>(row) + first_block * type_block_bytes(type);
    switch (type) {
    case dtype::q4_0: return dequantize_typed<dtype::q4_0>(b, n_blocks, dst);
    case dtype::q4_1: return dequantize_typed<dtype::q4_1>(b, n_blocks, dst);
    case dtype::q5_0: return dequantize_typed<dtype::q5_0>(b, n_blocks, dst);
    case dtype::q5_1: return dequantize_typed<dtype::q5_1>(b, n_blocks, dst);
    case dtype::q8_0: return dequantize_typed<dtype::q8_0>(b, n_blocks, dst);
    default: return;
    }
}

} // namespace amanuensis::simd

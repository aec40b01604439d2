// AVX-512 micro-kernels for gemm.h, compiled with a per-function target attribute and selected
// at run time (kernel_path::simd512). They compute 12 x 32 (and, for a block's last rows, 6 x 32)
// tiles over two adjacent 6-row A panels and two adjacent 16-wide B panels, so the packing of
// gemm.cc is unchanged: per k, two B loads, a broadcast per row and twice as many multiply-adds
// per instruction as the AVX2 6 x 16 kernel.
#include <immintrin.h>

#include "gemm_epilogue.h"

#define AMANUENSIS_SIMD512 __attribute__((target("avx512f,avx2,fma,f16c")))

namespace amanuensis::simd {

// A ROWS x 32 tile: ROWS / 6 adjacent A panels (kc * 6 floats apart) against two adjacent B
// panels (kc * 16 floats apart), 2 * ROWS zmm accumulators.
template <int ROWS>
AMANUENSIS_SIMD512 inline void tile_x32(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows,
                                        int cols, bool first, bool last, const float * bias, const gemm_epilogue & ep) {
    constexpr int PANELS = ROWS / GEMM_MR;
    const int64_t a_panel = static_cast<int64_t>(kc) * GEMM_MR;
    const float * b_next = b + static_cast<int64_t>(kc) * GEMM_NR;
    __m512 acc[ROWS][2];
    for (int i = 0; i < ROWS; ++i) {
        acc[i][0] = _mm512_setzero_ps();
        acc[i][1] = _mm512_setzero_ps();
    }
    for (int k = 0; k < kc; ++k) {
        const __m512 b0 = _mm512_load_ps(b);
        const __m512 b1 = _mm512_load_ps(b_next);
        for (int p = 0; p < PANELS; ++p) {
            for (int i = 0; i < GEMM_MR; ++i) {
                const __m512 ai = _mm512_set1_ps(a[p * a_panel + i]);
                acc[p * GEMM_MR + i][0] = _mm512_fmadd_ps(ai, b0, acc[p * GEMM_MR + i][0]);
                acc[p * GEMM_MR + i][1] = _mm512_fmadd_ps(ai, b1, acc[p * GEMM_MR + i][1]);
            }
        }
        a += GEMM_MR;
        b += GEMM_NR;
        b_next += GEMM_NR;
    }
    alignas(64) float tile[ROWS][2 * GEMM_NR];
    for (int i = 0; i < ROWS; ++i) {
        _mm512_store_ps(tile[i], acc[i][0]);
        _mm512_store_ps(tile[i] + GEMM_NR, acc[i][1]);
    }
    if (cols == 2 * GEMM_NR) {
        // full width: the vector epilogue, also for the last rows of a block
        for (int i = 0; i < rows; ++i) {
            float * ci = c + i * ldc;
            for (int j = 0; j < 2 * GEMM_NR; j += 8) {
                _mm256_storeu_ps(ci + j, apply_epilogue8(_mm256_load_ps(tile[i] + j), ci + j, bias != nullptr ? bias + j : nullptr,
                                                 first, last, ep));
            }
        }
        return;
    }
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
            float & out = c[i * ldc + j];
            out = apply_epilogue(out, tile[i][j], j, first, last, bias, ep);
        }
    }
}

AMANUENSIS_SIMD512 void micro_kernel_6x32(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows,
                                          int cols, bool first, bool last, const float * bias, const gemm_epilogue & ep) {
    tile_x32<GEMM_MR>(kc, a, b, c, ldc, rows, cols, first, last, bias, ep);
}

AMANUENSIS_SIMD512 void micro_kernel_12x32(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows,
                                           int cols, bool first, bool last, const float * bias, const gemm_epilogue & ep) {
    tile_x32<2 * GEMM_MR>(kc, a, b, c, ldc, rows, cols, first, last, bias, ep);
}

} // namespace amanuensis::simd

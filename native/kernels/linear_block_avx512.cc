// A linear layer over a block of 17 to 64 rows (a teacher-forced alignment pass, a prompt, a
// wide batched step) on the AVX-512 path, weight-stationary: the activations are transposed
// once per call (K x 32 per block of 32 rows, zero-padded), and each tile of 12 weight rows is
// widened once into a small f32 panel and multiplied against every activation row. The general
// gemm would instead transpose and widen the whole weight matrix into packed panels for so few
// rows, which costs more than the products themselves. Per k: two activation loads, twelve
// broadcasts from the panel, 24 multiply-adds into 24 zmm accumulators.
#include <immintrin.h>

#include <algorithm>

#include "aligned_buffer.h"
#include "gemm_epilogue.h"
#include "quant.h"

#define AMANUENSIS_SIMD512 __attribute__((target("avx512f,avx2,fma,f16c")))

namespace amanuensis::simd {

namespace {

constexpr int TILE_ROWS = 12;   // weight rows per register tile
constexpr int M_BLOCK = 32;     // activation rows per register tile (two zmm)
constexpr int CHUNK_COLS = 96;  // outputs per row finished together by the vector epilogue (8 tiles)

thread_local aligned_buffer<float> tls_transposed;  // [m blocks][K][32]
thread_local aligned_buffer<float> tls_panel;       // [12][K]
thread_local aligned_buffer<float> tls_chunk;       // [64][96]: raw products before the epilogue

// out[i][j] = sum over k of panel row i (k) * at[k][j], for the 12 x 32 tile.
AMANUENSIS_SIMD512 void tile_12x32(int K, const float * const * rows, const float * at, float * out) {
    __m512 acc[TILE_ROWS][2];
    for (int i = 0; i < TILE_ROWS; ++i) {
        acc[i][0] = _mm512_setzero_ps();
        acc[i][1] = _mm512_setzero_ps();
    }
    for (int k = 0; k < K; ++k) {
        const __m512 b0 = _mm512_load_ps(at);
        const __m512 b1 = _mm512_load_ps(at + 16);
        for (int i = 0; i < TILE_ROWS; ++i) {
            const __m512 w = _mm512_set1_ps(rows[i][k]);
            acc[i][0] = _mm512_fmadd_ps(w, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(w, b1, acc[i][1]);
        }
        at += M_BLOCK;
    }
    for (int i = 0; i < TILE_ROWS; ++i) {
        _mm512_store_ps(out + i * M_BLOCK, acc[i][0]);
        _mm512_store_ps(out + i * M_BLOCK + 16, acc[i][1]);
    }
}

// at[b][k][j] = A[b * 32 + j][k], zero past row M.
void transpose_rows(int M, int K, const float * A, int64_t lda, float * at) {
    const int blocks = (M + M_BLOCK - 1) / M_BLOCK;
    std::fill(at, at + static_cast<int64_t>(blocks) * K * M_BLOCK, 0.0f);
    for (int m = 0; m < M; ++m) {
        float * dst = at + static_cast<int64_t>(m / M_BLOCK) * K * M_BLOCK + m % M_BLOCK;
        const float * src = A + static_cast<int64_t>(m) * lda;
        for (int k = 0; k < K; ++k) {
            dst[static_cast<int64_t>(k) * M_BLOCK] = src[k];
        }
    }
}

// The f32 rows of weight rows [n0, n0 + nr): f32 weights are read in place, others widened or
// dequantized into the panel. Rows past nr repeat row n0 (their products are discarded).
void weight_panel(const matrix_view & W, int64_t ldw, int n0, int nr, int K, float * panel, const float ** rows,
                  kernel_path path) {
    for (int i = 0; i < TILE_ROWS; ++i) {
        const int r = i < nr ? i : 0;
        if (W.type == dtype::f32) {
            rows[i] = static_cast<const float *>(W.data) + static_cast<int64_t>(n0 + r) * ldw;
        } else {
            if (i < nr && W.type == dtype::f16) {
                widen_fp16(static_cast<const uint16_t *>(W.data) + static_cast<int64_t>(n0 + i) * ldw,
                           panel + static_cast<int64_t>(i) * K, K);
            } else if (i < nr) {
                weight_row_f32(W, n0 + i, 0, K, panel + static_cast<int64_t>(i) * K, path);
            }
            rows[i] = panel + static_cast<int64_t>(r) * K;
        }
    }
}

// C[m][n0 + j] from the chunk's raw products, for j < cols: the vector epilogue eight at a time.
AMANUENSIS_SIMD512 void finish_chunk(int M, int cols, const float * chunk, float * C, int64_t ldc, int n0,
                                     const gemm_epilogue & ep) {
    const float * bias = ep.bias != nullptr ? ep.bias + n0 : nullptr;
    for (int m = 0; m < M; ++m) {
        const float * src = chunk + m * CHUNK_COLS;
        float * dst = C + static_cast<int64_t>(m) * ldc + n0;
        int j = 0;
        for (; j + 8 <= cols; j += 8) {
            _mm256_storeu_ps(dst + j, apply_epilogue8(_mm256_loadu_ps(src + j), dst + j, bias != nullptr ? bias + j : nullptr,
                                                      true, true, ep));
        }
        for (; j < cols; ++j) {
            dst[j] = apply_epilogue(dst[j], src[j], j, true, true, bias, ep);
        }
    }
}

} // namespace

AMANUENSIS_SIMD512 void linear_block_512(int M, int n_begin, int n_end, int K, const float * A, int64_t lda,
                                         const matrix_view & W, int64_t ldw, float * C, int64_t ldc,
                                         const gemm_epilogue & ep, kernel_path path) {
    const int blocks = (M + M_BLOCK - 1) / M_BLOCK;
    float * at = tls_transposed.reserve(static_cast<size_t>(blocks) * K * M_BLOCK);
    transpose_rows(M, K, A, lda, at);
    float * panel = tls_panel.reserve(static_cast<size_t>(TILE_ROWS) * K);
    float * chunk = tls_chunk.reserve(static_cast<size_t>(blocks) * M_BLOCK * CHUNK_COLS);
    alignas(64) float tile[TILE_ROWS * M_BLOCK];
    const float * rows[TILE_ROWS];
    for (int c0 = n_begin; c0 < n_end; c0 += CHUNK_COLS) {
        const int chunk_cols = std::min(CHUNK_COLS, n_end - c0);
        for (int t0 = 0; t0 < chunk_cols; t0 += TILE_ROWS) {
            const int nr = std::min(TILE_ROWS, chunk_cols - t0);
            weight_panel(W, ldw, c0 + t0, nr, K, panel, rows, path);
            for (int b = 0; b < blocks; ++b) {
                tile_12x32(K, rows, at + static_cast<int64_t>(b) * K * M_BLOCK, tile);
                const int mb = std::min(M_BLOCK, M - b * M_BLOCK);
                for (int j = 0; j < mb; ++j) {
                    float * dst = chunk + static_cast<int64_t>(b * M_BLOCK + j) * CHUNK_COLS + t0;
                    for (int i = 0; i < nr; ++i) {
                        dst[i] = tile[i * M_BLOCK + j];
                    }
                }
            }
        }
        finish_chunk(M, chunk_cols, chunk, C, ldc, c0, ep);
    }
}

} // namespace amanuensis::simd

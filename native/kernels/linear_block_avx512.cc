// A linear layer over a block of up to 64 rows (a teacher-forced alignment pass, a prompt, a
// wide batched step, the attention scores of such a block) on the AVX-512 path,
// weight-stationary: the activations are transposed
// once per call (K x 32 per block of 32 rows, zero-padded), and each tile of 12 weight rows is
// widened once into a small f32 panel and multiplied against every activation row. The general
// gemm would instead transpose and widen the whole weight matrix into packed panels for so few
// rows, which costs more than the products themselves. Per k: two activation loads, twelve
// broadcasts from the panel, 24 multiply-adds into 24 zmm accumulators.
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "aligned_buffer.h"
#include "gemm_epilogue.h"
#include "quant.h"
#include "simd_math512.h"

// GCC 12's AVX-512 intrinsics (here _mm512_roundscale_ps, _mm512_cvtps_epi32 and kin) start
// their builtins from a deliberately undefined vector, which its flow analysis reports as "maybe
// uninitialized" (false; every lane is written): off for this file only
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define AMANUENSIS_SIMD512 __attribute__((target("avx512f,avx2,fma,f16c")))

namespace amanuensis::simd {

namespace {

constexpr int TILE_ROWS = 12;   // weight rows per register tile
constexpr int M_BLOCK = 32;     // activation rows per register tile (two zmm)
constexpr int CHUNK_COLS = 96;  // outputs per row finished together by the vector epilogue (8 tiles)

thread_local aligned_buffer<float> tls_transposed;  // [m blocks][K][32]
thread_local aligned_buffer<float> tls_panel;       // [12][K]
thread_local aligned_buffer<float> tls_chunk;       // [64][96]: raw products before the epilogue

// out[i][j] = sum over k of w[i * ldw + k] * at[k][j], for the 12 x 32 tile. One base pointer and
// a stride (not twelve row pointers, which do not all fit in registers next to the accumulators).
// `next`/`next_bytes`: the next tile's weight rows (contiguous), prefetched a line every other k so
// that reading them from memory overlaps this tile's products instead of stalling the next one.
AMANUENSIS_SIMD512 void tile_12x32(int K, const float * w, int64_t ldw, const float * at, float * out, const char * next,
                                   int64_t next_bytes) {
    __m512 acc[TILE_ROWS][2];
    for (int i = 0; i < TILE_ROWS; ++i) {
        acc[i][0] = _mm512_setzero_ps();
        acc[i][1] = _mm512_setzero_ps();
    }
    int64_t prefetched = 0;
    for (int k = 0; k < K; ++k) {
        if ((k & 1) == 0 && prefetched < next_bytes) {
            _mm_prefetch(next + prefetched, _MM_HINT_T0);
            prefetched += 64;
        }
        const __m512 b0 = _mm512_load_ps(at);
        const __m512 b1 = _mm512_load_ps(at + 16);
        for (int i = 0; i < TILE_ROWS; ++i) {
            const __m512 wi = _mm512_set1_ps(w[i * ldw + k]);
            acc[i][0] = _mm512_fmadd_ps(wi, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(wi, b1, acc[i][1]);
        }
        at += M_BLOCK;
    }
    for (int i = 0; i < TILE_ROWS; ++i) {
        _mm512_store_ps(out + i * M_BLOCK, acc[i][0]);
        _mm512_store_ps(out + i * M_BLOCK + 16, acc[i][1]);
    }
}

} // namespace

size_t linear_block_transposed_floats(int M, int K) {
    return static_cast<size_t>((M + M_BLOCK - 1) / M_BLOCK) * K * M_BLOCK;
}

namespace {

// out[c] = column c of the 16 x 16 block in r[0..15] (r[i] is row i): interleave 32-bit, then
// 64-bit elements, then gather the 128-bit lanes of four rows at a time.
AMANUENSIS_SIMD512 void transpose_16x16(__m512 * r) {
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    __m512 u[16];
    for (int i = 0; i < 4; ++i) {
        const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
        const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
        u[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int j = 0; j < 4; ++j) {
        const __m512 v0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x44);
        const __m512 v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xEE);
        const __m512 v2 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x44);
        const __m512 v3 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xEE);
        r[j] = _mm512_shuffle_f32x4(v0, v2, 0x88);
        r[4 + j] = _mm512_shuffle_f32x4(v0, v2, 0xDD);
        r[8 + j] = _mm512_shuffle_f32x4(v1, v3, 0x88);
        r[12 + j] = _mm512_shuffle_f32x4(v1, v3, 0xDD);
    }
}

} // namespace

// at[b][k][j] = A[b * 32 + j][k], zero past row M: 16 x 16 blocks transposed in registers (a
// scalar store per element, 32 floats apart, took about 0.2 ms of an alignment pass's serial time).
AMANUENSIS_SIMD512 void linear_block_transpose(int M, int K, const float * A, int64_t lda, float * at) {
    const int blocks = (M + M_BLOCK - 1) / M_BLOCK;
    const int k16 = K / 16 * 16;
    for (int g = 0; g < 2 * blocks; ++g) {  // 16 rows at a time: half g % 2 of block g / 2
        float * dst = at + static_cast<int64_t>(g / 2) * K * M_BLOCK + 16 * (g % 2);
        const int m0 = 16 * g;
        for (int k0 = 0; k0 < k16; k0 += 16) {
            __m512 r[16];
            for (int i = 0; i < 16; ++i) {
                r[i] = m0 + i < M ? _mm512_loadu_ps(A + static_cast<int64_t>(m0 + i) * lda + k0) : _mm512_setzero_ps();
            }
            transpose_16x16(r);
            for (int c = 0; c < 16; ++c) {
                _mm512_store_ps(dst + static_cast<int64_t>(k0 + c) * M_BLOCK, r[c]);
            }
        }
        for (int k = k16; k < K; ++k) {
            for (int i = 0; i < 16; ++i) {
                dst[static_cast<int64_t>(k) * M_BLOCK + i] = m0 + i < M ? A[static_cast<int64_t>(m0 + i) * lda + k] : 0.0f;
            }
        }
    }
}

namespace {

// Weight rows [n0, n0 + 12) as f32, rows *ld apart: f32 weights in place (when all 12 rows exist),
// others widened or dequantized into the panel (rows past nr zero).
const float * weight_panel(const matrix_view & W, int64_t ldw, int n0, int nr, int K, float * panel, int64_t * ld,
                           kernel_path path) {
    if (W.type == dtype::f32 && nr == TILE_ROWS) {
        *ld = ldw;
        return static_cast<const float *>(W.data) + static_cast<int64_t>(n0) * ldw;
    }
    *ld = K;
    for (int i = 0; i < TILE_ROWS; ++i) {
        float * row = panel + static_cast<int64_t>(i) * K;
        if (i >= nr) {
            std::fill(row, row + K, 0.0f);
        } else if (W.type == dtype::f32) {
            std::copy_n(static_cast<const float *>(W.data) + static_cast<int64_t>(n0 + i) * ldw, K, row);
        } else if (W.type == dtype::f16) {
            widen_fp16(static_cast<const uint16_t *>(W.data) + static_cast<int64_t>(n0 + i) * ldw, row, K);
        } else {
            weight_row_f32(W, n0 + i, 0, K, row, path);
        }
    }
    return panel;
}

// What tile_12x32 prefetches while it computes: weight rows [n0, n0 + 12) clipped to n_end, when
// they are one contiguous range (whole weight rows, not a strided view of a head's keys).
struct next_tile {
    const char * rows = nullptr;
    int64_t bytes = 0;
};

next_tile next_tile_rows(const matrix_view & W, int64_t ldw, int K, int n0, int n_end) {
    const int n_rows = std::max(0, std::min(TILE_ROWS, n_end - n0));
    if (n_rows == 0 || ldw != K) {
        return {};
    }
    const int64_t stride = row_bytes(W.type, ldw);
    return {static_cast<const char *>(W.data) + n0 * stride, n_rows * stride};
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

void linear_block_512(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                      int64_t ldw, float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path) {
    float * at = tls_transposed.reserve(linear_block_transposed_floats(M, K));
    linear_block_transpose(M, K, A, lda, at);
    linear_block_512_transposed(M, n_begin, n_end, K, at, W, ldw, C, ldc, ep, path);
}

AMANUENSIS_SIMD512 void linear_block_512_transposed(int M, int n_begin, int n_end, int K, const float * at,
                                                    const matrix_view & W, int64_t ldw, float * C, int64_t ldc,
                                                    const gemm_epilogue & ep, kernel_path path) {
    const int blocks = (M + M_BLOCK - 1) / M_BLOCK;
    float * panel = tls_panel.reserve(static_cast<size_t>(TILE_ROWS) * K);
    float * chunk = tls_chunk.reserve(static_cast<size_t>(blocks) * M_BLOCK * CHUNK_COLS);
    alignas(64) float tile[TILE_ROWS * M_BLOCK];
    for (int c0 = n_begin; c0 < n_end; c0 += CHUNK_COLS) {
        const int chunk_cols = std::min(CHUNK_COLS, n_end - c0);
        for (int t0 = 0; t0 < chunk_cols; t0 += TILE_ROWS) {
            const int nr = std::min(TILE_ROWS, chunk_cols - t0);
            int64_t ld = 0;
            const float * w = weight_panel(W, ldw, c0 + t0, nr, K, panel, &ld, path);
            const next_tile next = next_tile_rows(W, ldw, K, c0 + t0 + TILE_ROWS, n_end);
            for (int b = 0; b < blocks; ++b) {
                tile_12x32(K, w, ld, at + static_cast<int64_t>(b) * K * M_BLOCK, tile, next.rows, b == 0 ? next.bytes : 0);
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

AMANUENSIS_SIMD512 void linear_block_512_lanes(int n_begin, int n_end, int K, const float * at, const matrix_view & W, int64_t ldw,
                                               float * ct, kernel_path path) {
    float * panel = tls_panel.reserve(static_cast<size_t>(TILE_ROWS) * K);
    alignas(64) float tile[TILE_ROWS * M_BLOCK];
    for (int n0 = n_begin; n0 < n_end; n0 += TILE_ROWS) {
        const int nr = std::min(TILE_ROWS, n_end - n0);
        int64_t ld = 0;
        const float * w = weight_panel(W, ldw, n0, nr, K, panel, &ld, path);
        const next_tile next = next_tile_rows(W, ldw, K, n0 + TILE_ROWS, n_end);
        float * out = ct + static_cast<int64_t>(n0 - n_begin) * M_BLOCK;
        // a tile's rows are the output's rows: whole tiles go straight there
        tile_12x32(K, w, ld, at, nr == TILE_ROWS ? out : tile, next.rows, next.bytes);
        if (nr < TILE_ROWS) {
            std::copy(tile, tile + nr * M_BLOCK, out);
        }
    }
}

AMANUENSIS_SIMD512 void linear_block_logsumexp_512(int M, int n_begin, int n_end, int K, const float * at,
                                                   const matrix_view & W, const int32_t * targets, float * row_max,
                                                   float * row_sum, float * target_logit, kernel_path path) {
    const int blocks = (M + M_BLOCK - 1) / M_BLOCK;
    float * panel = tls_panel.reserve(static_cast<size_t>(TILE_ROWS) * K);
    alignas(64) float tile[TILE_ROWS * M_BLOCK];
    // per row (one lane per row, two zmm per block of 32): the running max and sum of
    // exp(logit - max) over the columns so far
    __m512 run_max[LINEAR_BLOCK_MAX_ROWS / 16];
    __m512 run_sum[LINEAR_BLOCK_MAX_ROWS / 16];
    for (int v = 0; v < 2 * blocks; ++v) {
        run_max[v] = _mm512_set1_ps(-INFINITY);
        run_sum[v] = _mm512_setzero_ps();
    }
    // weight tiles outside, row blocks inside: each tile is widened and read once for every row
    for (int n0 = n_begin; n0 < n_end; n0 += TILE_ROWS) {
        const int nr = std::min(TILE_ROWS, n_end - n0);
        int64_t ld = 0;
        const float * w = weight_panel(W, W.cols, n0, nr, K, panel, &ld, path);
        const next_tile next = next_tile_rows(W, W.cols, K, n0 + TILE_ROWS, n_end);
        for (int b = 0; b < blocks; ++b) {
            tile_12x32(K, w, ld, at + static_cast<int64_t>(b) * K * M_BLOCK, tile, next.rows, b == 0 ? next.bytes : 0);
            for (int h = 0; h < 2; ++h) {
                __m512 v[TILE_ROWS];
                __m512 tile_max = _mm512_set1_ps(-INFINITY);
                for (int i = 0; i < nr; ++i) {
                    v[i] = _mm512_load_ps(tile + i * M_BLOCK + 16 * h);
                    tile_max = _mm512_max_ps(tile_max, v[i]);
                }
                __m512 & max = run_max[2 * b + h];
                const __m512 new_max = _mm512_max_ps(max, tile_max);
                __m512 sum = _mm512_mul_ps(run_sum[2 * b + h], exp512(_mm512_sub_ps(max, new_max)));
                for (int i = 0; i < nr; ++i) {
                    sum = _mm512_add_ps(sum, exp512(_mm512_sub_ps(v[i], new_max)));
                }
                run_sum[2 * b + h] = sum;
                max = new_max;
            }
            const int m0 = b * M_BLOCK;
            for (int j = 0; j < std::min(M_BLOCK, M - m0); ++j) {
                const int t = targets[m0 + j];
                if (t >= n0 && t < n0 + nr) {
                    target_logit[m0 + j] = tile[(t - n0) * M_BLOCK + j];
                }
            }
        }
    }
    alignas(64) float maxes[LINEAR_BLOCK_MAX_ROWS];
    alignas(64) float sums[LINEAR_BLOCK_MAX_ROWS];
    for (int v = 0; v < 2 * blocks; ++v) {
        _mm512_store_ps(maxes + 16 * v, run_max[v]);
        _mm512_store_ps(sums + 16 * v, run_sum[v]);
    }
    std::copy(maxes, maxes + M, row_max);
    std::copy(sums, sums + M, row_sum);
}

} // namespace amanuensis::simd

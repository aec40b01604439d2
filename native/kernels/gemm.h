// C[M, N] (+)= A[M, K] * B[K, N] with a fused epilogue, BLIS-style: B is packed into
// NR-wide panels (f16 widened on the fly), A into MR-high panels, and a register-blocked
// micro-kernel computes MR x NR tiles.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tensor_view.h"

namespace amanuensis {

// B(k, n) = data[n * stride_n + k * stride_k], elements of `type`.
struct gemm_b {
    const void * data = nullptr;
    dtype type = dtype::f32;
    int64_t stride_n = 0;
    int64_t stride_k = 0;
};

// What happens to each output element after the product is complete.
struct gemm_epilogue {
    const float * bias = nullptr;  // [N], added to every row
    bool gelu = false;             // exact (erf) GELU, as torch.nn.GELU()
    bool accumulate = false;       // C += A*B (+bias) instead of C = A*B (+bias)
};

// B for a linear layer whose weight W is [N, K] row-major (PyTorch's [out, in]).
inline gemm_b linear_weight(const matrix_view & w) {
    return gemm_b{w.data, w.type, w.cols, 1};
}

// Single-threaded product; A is f32 row-major with row stride lda, C has row stride ldc.
void gemm(int M, int N, int K, const float * A, int64_t lda, const gemm_b & B, float * C, int64_t ldc,
          const gemm_epilogue & ep, kernel_path path);

// B packed once for a whole product, so that threads splitting its rows share one copy: the
// panels of every (column group, depth block), as gemm packs them block by block.
size_t packed_b_floats(int N, int K);
int64_t packed_b_offset(int N, int K, int jc, int pc);
// Packs columns [n0, n1) of B (n0 and, unless n1 == N, n1 multiples of GEMM_NR), depth rows
// [k0, k0 + K) (k0 a multiple of 32, a quantized block), into `packed` (packed_b_floats(N, K)
// floats); disjoint column ranges may be packed concurrently.
void pack_b_columns(const gemm_b & B, int N, int K, int n0, int n1, float * packed, kernel_path path, int k0 = 0);
// gemm with B already packed by pack_b_columns.
void gemm_packed(int M, int N, int K, const float * A, int64_t lda, const float * packed, float * C, int64_t ldc,
                 const gemm_epilogue & ep, kernel_path path);

// Product of a few rows (M small) with a linear weight: reads every weight once per call
// whatever M is. Used by the decoder, whose steps are bound by memory traffic.
void gemv_rows(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
               float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path);

// SIMD entry points (gemm_avx2.cc); called only when simd_kernels_supported().
namespace simd {
void micro_kernel_6x16(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows, int cols,
                       bool first, bool last, const float * bias, const gemm_epilogue & ep);
void widen_fp16(const void * src, float * dst, int64_t n);
void narrow_fp16(const float * src, void * dst, int64_t n);  // round to nearest even
void gemv_rows4(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                float * C, int64_t ldc, const gemm_epilogue & ep);
// gemv_quant_avx2.cc: gemv_rows4 for block-quantized W (quant.h), dequantizing in registers
void gemv_quantized(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                    float * C, int64_t ldc, const gemm_epilogue & ep);
// gemv_quant_avx512.cc: the same with AVX-512F (kernel_path::simd512)
void gemv_quantized_512(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                        float * C, int64_t ldc, const gemm_epilogue & ep);
// gemv_quant_vnni.cc: the same with 8-bit activations and AVX-512 VNNI (kernel_path::simd512_int8)
void gemv_quantized_vnni(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                         float * C, int64_t ldc, const gemm_epilogue & ep);
// linear_block_avx512.cc: C[M, n_begin:n_end] = A[M, K] * W[n_begin:n_end, 0:K]^T for M up to
// LINEAR_BLOCK_MAX_ROWS, W of any type (f16 widened, quantized dequantized, a tile of weight rows
// at a time) with rows ldw elements apart (W.cols for a quantized W); the AVX-512 path only
void linear_block_512(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                      int64_t ldw, float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path);
// The same in two parts, so that threads sharing one A transpose it once: A into `at`
// (linear_block_transposed_floats(M, K) floats), then the product over columns [n_begin, n_end).
size_t linear_block_transposed_floats(int M, int K);
void linear_block_transpose(int M, int K, const float * A, int64_t lda, float * at);
void linear_block_512_transposed(int M, int n_begin, int n_end, int K, const float * at, const matrix_view & W,
                                 int64_t ldw, float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path);
// linear_block_avx512.cc: the vocabulary product of word alignment, C = A W^T over columns
// [n_begin, n_end) of W, never written: per row m, the largest C[m, n] (row_max[m]) and the sum
// of exp(C[m, n] - row_max[m]) (row_sum[m]) over those columns, and C[m, targets[m]] in
// target_logit[m] when targets[m] lies among them (untouched otherwise). `at` as
// linear_block_transpose writes it; W's rows W.cols apart. The AVX-512 path only.
void linear_block_logsumexp_512(int M, int n_begin, int n_end, int K, const float * at, const matrix_view & W,
                                const int32_t * targets, float * row_max, float * row_sum, float * target_logit,
                                kernel_path path);
// linear_block_avx512.cc: the product over columns [n_begin, n_end) with A's 32 rows in the
// lanes: ct[n - n_begin][j] = sum over k of W[n, k] * A[j, k] for j < 32, each column's results
// one contiguous row of 32 (attention scores whose softmax then runs down the lanes). `at` is one
// block of linear_block_transpose (M up to 32); W's rows ldw elements apart. The AVX-512 path only.
void linear_block_512_lanes(int n_begin, int n_end, int K, const float * at, const matrix_view & W, int64_t ldw, float * ct,
                            kernel_path path);
// attention_values_avx512.cc: o[rows, 64] = p[rows, n_kv] v[n_kv, 64] for up to
// LINEAR_BLOCK_MAX_ROWS rows, p[i, k] at p[i * p_row_stride + k * p_key_stride] (row-major, or
// [n_kv, 32] with the rows in the lanes), v rows ldv elements apart (f32 or f16); the AVX-512 path only
void attention_values_512(int rows, int n_kv, const float * p, int64_t p_row_stride, int64_t p_key_stride, const void * v,
                          dtype type, int64_t ldv, float * o, int64_t ldo);
// attention_lanes_avx512.cc: o[rows, 64] = softmax(q k^T / 8) v for up to 32 queries of one
// 64-wide head attending to all n_kv keys (no causal mask): the scores are kept [n_kv, 32] with
// the queries in the lanes, so that neither product transposes its output and the softmax runs
// down the lanes. q rows ldq apart; k, v rows ldk, ldv apart, f32 or f16. The AVX-512 path only.
void attention_lanes_512(int rows, const float * q, int64_t ldq, const void * k, int64_t ldk, const void * v, int64_t ldv,
                         dtype kv_type, int n_kv, float * o, int64_t ldo, kernel_path path);
// gemm_avx512.cc: over two adjacent B panels; the 12-row kernel also over two adjacent A panels
void micro_kernel_6x32(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows, int cols,
                       bool first, bool last, const float * bias, const gemm_epilogue & ep);
void micro_kernel_12x32(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows, int cols,
                        bool first, bool last, const float * bias, const gemm_epilogue & ep);
void attention_small(const float * q, const float * k, int64_t ldk, const float * v, int64_t ldv, float * o, int n_kv,
                     int d_head, float scale, float * scores);
void attention_small_f16(const float * q, const uint16_t * k, int64_t ldk, const uint16_t * v, int64_t ldv, float * o,
                         int n_kv, int d_head, float scale, float * scores);
} // namespace simd

constexpr int LINEAR_BLOCK_MAX_ROWS = 64;
constexpr int GEMM_MR = 6;
constexpr int GEMM_NR = 16;
constexpr int GEMM_KC = 256;  // depth of a packed block: a product's partial sums are added to C block by block

} // namespace amanuensis

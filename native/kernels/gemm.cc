#include "gemm.h"

#include <algorithm>
#include <cstring>

#include "aligned_buffer.h"
#include "fp16.h"
#include "gemm_epilogue.h"
#include "quant.h"
#include "scalar_math.h"

namespace amanuensis {

namespace {

// Cache blocking: an A block (MC x KC, 144 KiB) stays in L2 while NR-wide B micro-panels
// (KC x NR, 16 KiB) stream through L1; a B block (KC x NC, 1 MiB) is shared through L3.
constexpr int KC = GEMM_KC;
constexpr int MC = 144;
constexpr int NC = 1024;
constexpr int MR = GEMM_MR;
constexpr int NR = GEMM_NR;

thread_local aligned_buffer<float> tls_packed_a;
thread_local aligned_buffer<float> tls_packed_b;
thread_local aligned_buffer<float> tls_widened_row;

// n halves at h as floats, with F16C on the SIMD paths.
void widen(const void * h, float * dst, int64_t n, kernel_path path) {
    if (path != kernel_path::portable) {
        simd::widen_fp16(h, dst, n);
        return;
    }
    for (int64_t i = 0; i < n; ++i) {
        dst[i] = load_fp16(h, i);
    }
}

// Bp[panel][k][j] = B(pc + k, jc + panel*NR + j), zero beyond nc.
void pack_b(int kc, int nc, int pc, int jc, const gemm_b & B, float * Bp, kernel_path path) {
    const int n_panels = (nc + NR - 1) / NR;
    for (int p = 0; p < n_panels; ++p) {
        float * dst = Bp + static_cast<int64_t>(p) * kc * NR;
        const int cols = std::min(NR, nc - p * NR);
        if (cols < NR) {
            std::memset(dst, 0, sizeof(float) * kc * NR);
        }
        // only the stride_k == 1 branch ever sees weights, hence quantized blocks
        if (B.stride_n == 1) {
            // columns contiguous (attention's V): each k contributes one run of `cols` values
            const int64_t first = jc + p * NR;
            for (int k = 0; k < kc; ++k) {
                const int64_t at = first + static_cast<int64_t>(pc + k) * B.stride_k;
                if (B.type == dtype::f32) {
                    std::memcpy(dst + k * NR, static_cast<const float *>(B.data) + at, sizeof(float) * cols);
                } else {
                    widen(static_cast<const uint16_t *>(B.data) + at, dst + k * NR, cols, path);
                }
            }
        } else if (B.stride_k == 1) {
            // rows of k (weights, attention's K): the panel's columns as contiguous runs
            // (widened once), then written in panel order, k by k
            const float * src[NR];
            float * widened = tls_widened_row.reserve(static_cast<size_t>(NR) * kc);
            for (int j = 0; j < cols; ++j) {
                const int64_t at = (jc + p * NR + j) * B.stride_n + pc;
                if (is_quantized(B.type)) {
                    // quantized weights (rows of stride_n elements, whole blocks): pc and kc are
                    // multiples of the block size because KC is and K is
                    float * row = widened + static_cast<int64_t>(j) * kc;
                    const char * base = static_cast<const char *>(B.data) + (jc + p * NR + j) * row_bytes(B.type, B.stride_n);
                    dequantize_blocks(B.type, base, pc / QUANT_BLOCK, kc / QUANT_BLOCK, row, path);
                    src[j] = row;
                } else if (B.type == dtype::f16) {
                    float * row = widened + static_cast<int64_t>(j) * kc;
                    widen(static_cast<const uint16_t *>(B.data) + at, row, kc, path);
                    src[j] = row;
                } else {
                    src[j] = static_cast<const float *>(B.data) + at;
                }
            }
            for (int k = 0; k < kc; ++k) {
                for (int j = 0; j < cols; ++j) {
                    dst[k * NR + j] = src[j][k];
                }
            }
        } else {
            for (int j = 0; j < cols; ++j) {
                const int64_t n = jc + p * NR + j;
                for (int k = 0; k < kc; ++k) {
                    const int64_t idx = n * B.stride_n + static_cast<int64_t>(pc + k) * B.stride_k;
                    dst[k * NR + j] = B.type == dtype::f16 ? load_fp16(B.data, idx)
                                                           : static_cast<const float *>(B.data)[idx];
                }
            }
        }
    }
}

// Ap[panel][k][i] = A(ic + panel*MR + i, pc + k), zero beyond mc.
void pack_a(int mc, int kc, const float * A, int64_t lda, float * Ap) {
    const int n_panels = (mc + MR - 1) / MR;
    for (int p = 0; p < n_panels; ++p) {
        float * dst = Ap + static_cast<int64_t>(p) * kc * MR;
        const int rows = std::min(MR, mc - p * MR);
        if (rows == MR) {
            // six rows read side by side, the panel written in order
            const float * src[MR];
            for (int i = 0; i < MR; ++i) {
                src[i] = A + static_cast<int64_t>(p * MR + i) * lda;
            }
            for (int k = 0; k < kc; ++k) {
                for (int i = 0; i < MR; ++i) {
                    dst[k * MR + i] = src[i][k];
                }
            }
            continue;
        }
        for (int i = 0; i < MR; ++i) {
            if (i < rows) {
                const float * src = A + static_cast<int64_t>(p * MR + i) * lda;
                for (int k = 0; k < kc; ++k) {
                    dst[k * MR + i] = src[k];
                }
            } else {
                for (int k = 0; k < kc; ++k) {
                    dst[k * MR + i] = 0.0f;
                }
            }
        }
    }
}

void micro_kernel_portable(int kc, const float * a, const float * b, float * c, int64_t ldc, int rows, int cols,
                           bool first, bool last, const float * bias, const gemm_epilogue & ep) {
    float acc[MR][NR] = {};
    for (int k = 0; k < kc; ++k) {
        for (int i = 0; i < MR; ++i) {
            const float ai = a[k * MR + i];
            for (int j = 0; j < NR; ++j) {
                acc[i][j] += ai * b[k * NR + j];
            }
        }
    }
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
            float & out = c[i * ldc + j];
            out = apply_epilogue(out, acc[i][j], j, first, last, bias, ep);
        }
    }
}

} // namespace

namespace {

int round_up_nr(int n) { return (n + NR - 1) / NR * NR; }

// The blocked product. With `packed`, B's panels come from it (pack_b_columns' layout);
// otherwise each block of B is packed here, into this thread's buffer.
void gemm_blocked(int M, int N, int K, const float * A, int64_t lda, const gemm_b * B, const float * packed, float * C,
                  int64_t ldc, const gemm_epilogue & ep, kernel_path path) {
    if (M <= 0 || N <= 0) {
        return;
    }
    if (K <= 0) {
        // an empty product: only the epilogue applies
        for (int i = 0; i < M; ++i) {
            for (int j = 0; j < N; ++j) {
                float & out = C[static_cast<int64_t>(i) * ldc + j];
                out = apply_epilogue(out, 0.0f, j, true, true, ep.bias, ep);
            }
        }
        return;
    }
    float * own = packed == nullptr ? tls_packed_b.reserve(static_cast<size_t>(KC) * round_up_nr(std::min(NC, N))) : nullptr;
    float * Ap = tls_packed_a.reserve(static_cast<size_t>(KC) * ((std::min(MC, M) + MR - 1) / MR) * MR);
    for (int jc = 0; jc < N; jc += NC) {
        const int nc = std::min(NC, N - jc);
        for (int pc = 0; pc < K; pc += KC) {
            const int kc = std::min(KC, K - pc);
            const bool first = pc == 0;
            const bool last = pc + kc == K;
            const float * Bp = own;
            if (packed != nullptr) {
                Bp = packed + packed_b_offset(N, K, jc, pc);
            } else {
                pack_b(kc, nc, pc, jc, *B, own, path);
            }
            for (int ic = 0; ic < M; ic += MC) {
                const int mc = std::min(MC, M - ic);
                pack_a(mc, kc, A + static_cast<int64_t>(ic) * lda + pc, lda, Ap);
                for (int jr = 0; jr < nc;) {
                    // two adjacent panels at once where the AVX-512 kernel runs and a second panel exists
                    const bool wide = uses_avx512(path) && jr + NR < nc;
                    const int width = wide ? 2 * NR : NR;
                    const int cols = std::min(width, nc - jr);
                    const float * bp = Bp + static_cast<int64_t>(jr) * kc;
                    const float * bias = ep.bias != nullptr ? ep.bias + jc + jr : nullptr;
                    for (int ir = 0; ir < mc;) {
                        // two adjacent A panels at once where a second one exists
                        const bool tall = wide && ir + MR < mc;
                        const int height = tall ? 2 * MR : MR;
                        const int rows = std::min(height, mc - ir);
                        const float * ap = Ap + static_cast<int64_t>(ir) * kc;
                        float * c = C + static_cast<int64_t>(ic + ir) * ldc + jc + jr;
                        ir += height;
                        if (tall) {
                            simd::micro_kernel_12x32(kc, ap, bp, c, ldc, rows, cols, first, last, bias, ep);
                        } else if (wide) {
                            simd::micro_kernel_6x32(kc, ap, bp, c, ldc, rows, cols, first, last, bias, ep);
                        } else if (path != kernel_path::portable) {
                            simd::micro_kernel_6x16(kc, ap, bp, c, ldc, rows, cols, first, last, bias, ep);
                        } else {
                            micro_kernel_portable(kc, ap, bp, c, ldc, rows, cols, first, last, bias, ep);
                        }
                    }
                    jr += width;
                }
            }
        }
    }
}

} // namespace

int64_t packed_b_offset(int N, int K, int jc, int pc) {
    // column groups of NC (a multiple of NR) come in order, each K deep; inside a group, KC-deep blocks
    return static_cast<int64_t>(jc) * K + static_cast<int64_t>(pc) * round_up_nr(std::min(NC, N - jc));
}

size_t packed_b_floats(int N, int K) {
    const int last = (N - 1) / NC * NC;
    return static_cast<size_t>(packed_b_offset(N, K, last, 0)) + static_cast<size_t>(K) * round_up_nr(N - last);
}

void pack_b_columns(const gemm_b & B, int N, int K, int n0, int n1, float * packed, kernel_path path, int k0) {
    for (int jc = n0 / NC * NC; jc < n1; jc += NC) {
        const int begin = std::max(n0, jc);
        const int end = std::min({n1, jc + NC, N});
        for (int pc = 0; pc < K; pc += KC) {
            const int kc = std::min(KC, K - pc);
            pack_b(kc, end - begin, k0 + pc, begin, B, packed + packed_b_offset(N, K, jc, pc) + static_cast<int64_t>(begin - jc) * kc,
                   path);
        }
    }
}

void gemm(int M, int N, int K, const float * A, int64_t lda, const gemm_b & B, float * C, int64_t ldc,
          const gemm_epilogue & ep, kernel_path path) {
    gemm_blocked(M, N, K, A, lda, &B, nullptr, C, ldc, ep, path);
}

void gemm_packed(int M, int N, int K, const float * A, int64_t lda, const float * packed, float * C, int64_t ldc,
                 const gemm_epilogue & ep, kernel_path path) {
    gemm_blocked(M, N, K, A, lda, nullptr, packed, C, ldc, ep, path);
}

namespace {

// Weight rows dequantized per call of gemv_rows_quantized: a few rows, 12 KiB of f32 at K = 384, so
// that they are read back from L1 (a larger chunk spills to L2 and costs more than the dequantization).
thread_local aligned_buffer<float> tls_dequantized_rows;

// gemv_rows over a quantized W: a few rows at a time are dequantized exactly to f32 and go
// through the f32 product of the same path, so the results are those of the dequantized model.
void gemv_rows_quantized(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W,
                         float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path) {
    const int chunk = std::max(4, (3072 / std::max(K, 1)) & ~3);
    float * rows = tls_dequantized_rows.reserve(static_cast<size_t>(chunk) * K);
    for (int n0 = n_begin; n0 < n_end; n0 += chunk) {
        const int nr = std::min(chunk, n_end - n0);
        for (int r = 0; r < nr; ++r) {
            weight_row_f32(W, n0 + r, 0, K, rows + static_cast<int64_t>(r) * K, path);
        }
        const matrix_view part{rows, dtype::f32, nr, K};
        gemm_epilogue e = ep;
        if (e.bias != nullptr) {
            e.bias += n0;
        }
        gemv_rows(M, 0, nr, K, A, lda, part, C + n0, ldc, e, path);
    }
}

} // namespace

void gemv_rows(int M, int n_begin, int n_end, int K, const float * A, int64_t lda, const matrix_view & W, float * C,
               int64_t ldc, const gemm_epilogue & ep, kernel_path path) {
    if (is_quantized(W.type) && path == kernel_path::simd512_int8) {
        simd::gemv_quantized_vnni(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
        return;
    }
    if (is_quantized(W.type) && path == kernel_path::simd512) {
        simd::gemv_quantized_512(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
        return;
    }
    if (is_quantized(W.type) && path != kernel_path::portable) {
        simd::gemv_quantized(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
        return;
    }
    if (is_quantized(W.type)) {
        gemv_rows_quantized(M, n_begin, n_end, K, A, lda, W, C, ldc, ep, path);
        return;
    }
    if (path != kernel_path::portable) {
        simd::gemv_rows4(M, n_begin, n_end, K, A, lda, W, C, ldc, ep);
        return;
    }
    for (int n = n_begin; n < n_end; ++n) {
        for (int m = 0; m < M; ++m) {
            const float * x = A + static_cast<int64_t>(m) * lda;
            float sum = 0.0f;
            if (W.type == dtype::f16) {
                const int64_t base = static_cast<int64_t>(n) * W.cols;
                for (int k = 0; k < K; ++k) {
                    sum += x[k] * load_fp16(W.data, base + k);
                }
            } else {
                const float * w = static_cast<const float *>(W.data) + static_cast<int64_t>(n) * W.cols;
                for (int k = 0; k < K; ++k) {
                    sum += x[k] * w[k];
                }
            }
            float & out = C[static_cast<int64_t>(m) * ldc + n];
            out = apply_epilogue(out, sum, n, true, true, ep.bias, ep);
        }
    }
}

} // namespace amanuensis

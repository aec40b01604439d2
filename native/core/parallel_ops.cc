#include "parallel_ops.h"

#include <algorithm>
#include <vector>

#include "kernels/aligned_buffer.h"
#include "kernels/quant.h"

namespace amanuensis {

namespace {

constexpr int GEMV_MAX_ROWS = 16;     // up to this many rows the product is bound by weight traffic
// B is packed once and shared by the row tasks, at most this much of its depth at a time: a
// large model's weights (large-v3's MLP, 25 MB in f32) would otherwise each be widened whole
// into a buffer that every thread calling a product keeps (tiny's and base's fit in one chunk)
constexpr size_t SHARED_PACK_CHUNK_BYTES = size_t(4) << 20;

// The calling thread's shared packing of B, kept between products (no page faults per call).
thread_local aligned_buffer<float> tls_shared_b;
// The calling thread's transposed rows for the row-block kernel, shared by its tasks.
thread_local aligned_buffer<float> tls_transposed_rows;
constexpr int ATTENTION_Q_BLOCK = 256; // queries per task: fewer re-packings of K and V; scores [256, 1500] (1.5 MB) fit L2

int round_up(int v, int m) { return (v + m - 1) / m * m; }

// The depth of B packed at a time: all of K when it fits SHARED_PACK_CHUNK_BYTES, else as many
// whole depth blocks as fit (at least one).
int shared_pack_depth(int N, int K) {
    if (packed_b_floats(N, K) * sizeof(float) <= SHARED_PACK_CHUNK_BYTES) {
        return K;
    }
    const size_t block_bytes = packed_b_floats(N, GEMM_KC) * sizeof(float);
    return std::max(1, static_cast<int>(SHARED_PACK_CHUNK_BYTES / block_bytes)) * GEMM_KC;
}

gemm_b offset_columns(const gemm_b & B, int64_t n0) {
    gemm_b out = B;
    // quantized weights are rows of whole blocks (stride_k == 1): step over n0 rows' bytes
    const int64_t step = is_quantized(B.type) ? row_bytes(B.type, B.stride_n) : B.stride_n * (B.type == dtype::f16 ? 2 : 4);
    out.data = static_cast<const char *>(B.data) + n0 * step;
    return out;
}

} // namespace

void parallel_chunks(thread_pool & pool, int n_threads, int64_t n, int64_t chunk, const std::function<void(int64_t, int64_t)> & fn) {
    pool.parallel_for(static_cast<int>((n + chunk - 1) / chunk), n_threads, [&](int task) {
        const int64_t begin = static_cast<int64_t>(task) * chunk;
        fn(begin, std::min(n, begin + chunk));
    });
}

int row_block_task_columns(int N, int threads) {
    const int n_tasks = 4 * std::max(1, threads);
    return round_up((N + n_tasks - 1) / n_tasks, 12);
}

void parallel_gemm(thread_pool & pool, int n_threads, int M, int N, int K, const float * A, int64_t lda,
                   const gemm_b & B, float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path) {
    const int threads = std::max(1, std::min(n_threads, pool.n_threads()));
    if (M >= 8 * GEMM_MR * threads || N < GEMM_NR * threads) {
        // split rows; a few tasks per thread balance uneven progress
        // whole 12-row tiles (the AVX-512 kernel's height, two of the AVX2 kernel's) per task
        const int rows = std::max(8 * GEMM_MR, round_up((M + 3 * threads - 1) / (3 * threads), 2 * GEMM_MR));
        const int n_tasks = (M + rows - 1) / rows;
        if (n_tasks > 1) {
            // every row task needs all of B: pack it once, in parallel column ranges, and share it;
            // a chunk of whole depth blocks at a time, so that the sums reach C in the order and
            // blocks of one whole product (the same result to the bit), the epilogue on the last
            const int depth = shared_pack_depth(N, K);
            float * packed = tls_shared_b.reserve(packed_b_floats(N, depth));
            const int pack_cols = round_up((N + 2 * threads - 1) / (2 * threads), GEMM_NR);
            for (int k0 = 0; k0 < K; k0 += depth) {
                const int kc = std::min(depth, K - k0);
                pool.parallel_for((N + pack_cols - 1) / pack_cols, threads, [&](int t) {
                    pack_b_columns(B, N, kc, t * pack_cols, std::min(N, (t + 1) * pack_cols), packed, path, k0);
                });
                const bool last = k0 + kc == K;
                const gemm_epilogue chunk_ep{last ? ep.bias : nullptr, last && ep.gelu, k0 > 0 || ep.accumulate};
                pool.parallel_for(n_tasks, threads, [&](int t) {
                    const int r0 = t * rows;
                    const int r1 = std::min(M, r0 + rows);
                    gemm_packed(r1 - r0, N, kc, A + static_cast<int64_t>(r0) * lda + k0, lda, packed,
                                C + static_cast<int64_t>(r0) * ldc, ldc, chunk_ep, path);
                });
            }
            return;
        }
        pool.parallel_for(n_tasks, threads, [&](int t) {
            const int r0 = t * rows;
            const int r1 = std::min(M, r0 + rows);
            gemm(r1 - r0, N, K, A + static_cast<int64_t>(r0) * lda, lda, B, C + static_cast<int64_t>(r0) * ldc, ldc, ep,
                 path);
        });
        return;
    }
    const int cols = round_up((N + threads - 1) / threads, GEMM_NR);
    const int n_tasks = (N + cols - 1) / cols;
    pool.parallel_for(n_tasks, threads, [&](int t) {
        const int c0 = t * cols;
        const int c1 = std::min(N, c0 + cols);
        gemm_epilogue e = ep;
        if (e.bias != nullptr) {
            e.bias += c0;
        }
        gemm(M, c1 - c0, K, A, lda, offset_columns(B, c0), C + c0, ldc, e, path);
    });
}

void parallel_linear(thread_pool & pool, int n_threads, int M, const float * A, int64_t lda, const matrix_view & W,
                     float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path) {
    const int N = static_cast<int>(W.rows);
    const int K = static_cast<int>(W.cols);
    if (M > GEMV_MAX_ROWS && M <= LINEAR_BLOCK_MAX_ROWS && uses_avx512(path)) {
        // a block of rows: weight-stationary tiles, no packed copy of W (linear_block_avx512.cc)
        const int threads = std::max(1, std::min(n_threads, pool.n_threads()));
        float * at = tls_transposed_rows.reserve(simd::linear_block_transposed_floats(M, K));
        simd::linear_block_transpose(M, K, A, lda, at);  // once, for every task
        parallel_chunks(pool, threads, N, row_block_task_columns(N, threads), [&](int64_t c0, int64_t c1) {
            simd::linear_block_512_transposed(M, static_cast<int>(c0), static_cast<int>(c1), K, at, W, W.cols, C, ldc, ep, path);
        });
        return;
    }
    if (M > GEMV_MAX_ROWS) {
        parallel_gemm(pool, n_threads, M, N, K, A, lda, linear_weight(W), C, ldc, ep, path);
        return;
    }
    const int threads = std::max(1, std::min(n_threads, pool.n_threads()));
    const int n_tasks = threads * 4;
    const int cols = round_up((N + n_tasks - 1) / n_tasks, 4); // whole blocks of 4 weight rows
    pool.parallel_for(n_tasks, threads, [&](int t) {
        const int c0 = t * cols;
        const int c1 = std::min(N, c0 + cols);
        if (c0 < c1) {
            gemv_rows(M, c0, c1, K, A, lda, W, C, ldc, ep, path);
        }
    });
}

void parallel_attention(thread_pool & pool, int n_threads, const attention_args * args, int n_seq, kernel_path path) {
    struct task {
        int seq, head, q0, q1;
    };
    std::vector<task> tasks;
    for (int s = 0; s < n_seq; ++s) {
        for (int h = 0; h < args[s].n_head; ++h) {
            for (int q0 = 0; q0 < args[s].n_q; q0 += ATTENTION_Q_BLOCK) {
                tasks.push_back({s, h, q0, std::min(args[s].n_q, q0 + ATTENTION_Q_BLOCK)});
            }
        }
    }
    pool.parallel_for(static_cast<int>(tasks.size()), n_threads, [&](int i) {
        const task & t = tasks[i];
        attention_block(args[t.seq], t.head, t.q0, t.q1, path);
    });
}

} // namespace amanuensis

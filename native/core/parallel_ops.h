// Multithreaded drivers over the single-threaded kernels, run on the (process-wide) thread pool.
#pragma once

#include <cstdint>
#include <functional>

#include "kernels/attention.h"
#include "kernels/gemm.h"
#include "thread_pool.h"

namespace amanuensis {

// C[M, N] = A[M, K] W^T (+ epilogue) for a linear weight W [N, K]. Few rows go through the
// weight-streaming gemv path (each weight read once), many rows through the packed GEMM.
void parallel_linear(thread_pool & pool, int n_threads, int M, const float * A, int64_t lda, const matrix_view & W,
                     float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path);

// Columns per task when a row-block product (linear_block_avx512.cc) over N columns is split over
// `threads`: about four tasks per thread, each whole 12-row weight tiles.
int row_block_task_columns(int N, int threads);

// Runs fn(begin, end) over [0, n) in chunks of `chunk` items, spread over the pool.
void parallel_chunks(thread_pool & pool, int n_threads, int64_t n, int64_t chunk, const std::function<void(int64_t, int64_t)> & fn);

// The general product of gemm.h, split over rows (or columns when rows are few).
void parallel_gemm(thread_pool & pool, int n_threads, int M, int N, int K, const float * A, int64_t lda,
                   const gemm_b & B, float * C, int64_t ldc, const gemm_epilogue & ep, kernel_path path);

// Attention of several independent sequences (args[s] each) over all heads, split into
// (sequence, head, query block) tasks.
void parallel_attention(thread_pool & pool, int n_threads, const attention_args * args, int n_seq, kernel_path path);

} // namespace amanuensis

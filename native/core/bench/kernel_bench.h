// Microbenchmarks of the kernels alone, for the benchmark suite.
#pragma once

namespace amanuensis {

// Median milliseconds of C[M, N] = A[M, K] W^T for a linear weight W [N, K] (f16 or f32) on
// n_threads threads, over `runs` timed runs after one warm-up, with the SIMD kernels when available
// (and the AVX-512 micro-kernel when `avx512` and the CPU has it).
double bench_linear_ms(int M, int N, int K, bool f16, int n_threads, int runs, bool avx512);

// Read bandwidth in GB/s: n_threads threads summing disjoint parts of a `megabytes` buffer, best of 5.
double bench_read_bandwidth_gbs(int n_threads, int megabytes);

} // namespace amanuensis

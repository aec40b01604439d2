// Microbenchmark of the CPU's fused multiply-add peak, for reporting how close the
// kernels come to the machine's limit.
#pragma once

namespace amanuensis {

// Runs independent FMA chains on n_threads threads for about `seconds`; returns GFLOP/s
// (an FMA counts as 2 flops). Uses AVX-512 when `avx512` and the CPU has it, else AVX2/FMA when
// available, else scalar code.
double measure_fma_peak_gflops(int n_threads, double seconds, bool avx512);

} // namespace amanuensis

// Kernel microbenchmarks for bench/ (FMA peak, GEMM throughput, read bandwidth), each run
// off the main thread and resolving with the number it measures.
#pragma once

#include <napi.h>

namespace amanuensis {

// benchLinear({ m, n, k, f16, threads, runs, avx512? }) -> Promise<median ms>
Napi::Value bench_linear(const Napi::CallbackInfo & info);
// benchReadBandwidth({ threads, megabytes }) -> Promise<GB/s>
Napi::Value bench_read_bandwidth(const Napi::CallbackInfo & info);
// benchFmaPeak({ threads, seconds?, avx512? }) -> Promise<GFLOP/s>
Napi::Value bench_fma_peak(const Napi::CallbackInfo & info);

// benchDecoderSteps({ decoder, steps, threads }) -> Promise<mean ms per step>: `steps` single-token
// steps of a NativeDecoder (features set, one sequence) run back to back natively, with no
// crossing into JS between them (the cost of a step itself).
Napi::Value bench_decoder_steps(const Napi::CallbackInfo & info);

} // namespace amanuensis

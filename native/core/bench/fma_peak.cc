#include "fma_peak.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/simd_math.h"

// GCC 12's AVX-512 intrinsics fill the unused lanes of their masked builtins from a deliberately
// undefined vector, which its own flow analysis then reports as "used uninitialized": off here.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace amanuensis {

namespace {

constexpr int CHAINS = 12;  // enough independent accumulators to cover FMA latency x 2 ports

// Returns FMAs done per 8-lane vector; the result is kept so the loop is not optimised away.
AMANUENSIS_SIMD double fma_loop_avx2(long iterations, float * sink) {
    __m256 acc[CHAINS];
    for (int i = 0; i < CHAINS; ++i) acc[i] = _mm256_set1_ps(0.001f * i);
    const __m256 a = _mm256_set1_ps(0.999999f);
    const __m256 b = _mm256_set1_ps(1e-7f);
    for (long it = 0; it < iterations; ++it) {
        for (int i = 0; i < CHAINS; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    __m256 s = acc[0];
    for (int i = 1; i < CHAINS; ++i) s = _mm256_add_ps(s, acc[i]);
    *sink = simd::hsum_ps(s);
    return static_cast<double>(iterations) * CHAINS * 8 * 2;
}

// The same with 16-lane AVX-512 vectors.
__attribute__((target("avx512f,avx2,fma,f16c"))) double fma_loop_avx512(long iterations, float * sink) {
    __m512 acc[CHAINS];
    for (int i = 0; i < CHAINS; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
    const __m512 a = _mm512_set1_ps(0.999999f);
    const __m512 b = _mm512_set1_ps(1e-7f);
    for (long it = 0; it < iterations; ++it) {
        for (int i = 0; i < CHAINS; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 s = acc[0];
    for (int i = 1; i < CHAINS; ++i) s = _mm512_add_ps(s, acc[i]);
    *sink = _mm512_reduce_add_ps(s);
    return static_cast<double>(iterations) * CHAINS * 16 * 2;
}

double fma_loop_scalar(long iterations, float * sink) {
    float acc[CHAINS];
    for (int i = 0; i < CHAINS; ++i) acc[i] = 0.001f * i;
    for (long it = 0; it < iterations; ++it) {
        for (int i = 0; i < CHAINS; ++i) acc[i] = acc[i] * 0.999999f + 1e-7f;
    }
    float s = 0;
    for (float v : acc) s += v;
    *sink = s;
    return static_cast<double>(iterations) * CHAINS * 2;
}

} // namespace

double measure_fma_peak_gflops(int n_threads, double seconds, bool avx512) {
    const bool simd = simd_kernels_supported();
    const bool wide = avx512 && avx512_kernels_supported();
    const long iterations = simd ? 20'000'000 : 5'000'000;
    std::vector<float> sinks(n_threads);
    std::atomic<double> flops{0};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < n_threads; ++t) {
        threads.emplace_back([&, t] {
            double done = 0;
            const auto start = std::chrono::steady_clock::now();
            while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
                done += wide   ? fma_loop_avx512(iterations / 10, &sinks[t])
                        : simd ? fma_loop_avx2(iterations / 10, &sinks[t])
                               : fma_loop_scalar(iterations / 10, &sinks[t]);
            }
            double cur = flops.load();
            while (!flops.compare_exchange_weak(cur, cur + done)) {
            }
        });
    }
    for (auto & t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return flops.load() / elapsed / 1e9;
}

} // namespace amanuensis

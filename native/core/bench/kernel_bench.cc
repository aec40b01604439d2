#include "kernel_bench.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "kernels/aligned_buffer.h"
#include "kernels/cpu_features.h"
#include "kernels/simd_math.h"
#include "core/parallel_ops.h"

namespace amanuensis {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

AMANUENSIS_SIMD float sum_avx2(const float * p, size_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, _mm256_load_ps(p + i));
        a1 = _mm256_add_ps(a1, _mm256_load_ps(p + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_load_ps(p + i + 16));
        a3 = _mm256_add_ps(a3, _mm256_load_ps(p + i + 24));
    }
    return simd::hsum_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
}

float sum_portable(const float * p, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; ++i) s += p[i];
    return s;
}

} // namespace

double bench_linear_ms(int M, int N, int K, bool f16, int n_threads, int runs, bool avx512) {
    const kernel_path path = !simd_kernels_supported()                ? kernel_path::portable
                             : avx512 && avx512_kernels_supported() ? kernel_path::simd512
                                                                     : kernel_path::simd;
    thread_pool pool(n_threads);
    aligned_buffer<float> a(static_cast<size_t>(M) * K);
    aligned_buffer<float> c(static_cast<size_t>(M) * N);
    aligned_buffer<uint16_t> w16(static_cast<size_t>(N) * K);
    aligned_buffer<float> w32(static_cast<size_t>(N) * K);
    for (size_t i = 0; i < static_cast<size_t>(M) * K; ++i) a.data()[i] = 0.001f * static_cast<float>(i % 97);
    for (size_t i = 0; i < static_cast<size_t>(N) * K; ++i) {
        w16.data()[i] = 0x3c00;  // 1.0 in f16
        w32.data()[i] = 1.0f;
    }
    const matrix_view w{f16 ? static_cast<const void *>(w16.data()) : static_cast<const void *>(w32.data()),
                        f16 ? dtype::f16 : dtype::f32, N, K};
    std::vector<double> times;
    for (int r = 0; r <= runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        parallel_linear(pool, n_threads, M, a.data(), K, w, c.data(), N, gemm_epilogue{}, path);
        if (r > 0) times.push_back(ms_since(t0));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

double bench_read_bandwidth_gbs(int n_threads, int megabytes) {
    const size_t n = static_cast<size_t>(megabytes) * 1024 * 1024 / 4;
    aligned_buffer<float> buf(n);
    std::fill(buf.data(), buf.data() + n, 1.0f);
    const bool simd = simd_kernels_supported();
    double best = 1e30;
    std::vector<float> sinks(n_threads);
    for (int r = 0; r < 5; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        const size_t part = n / n_threads / 32 * 32;
        for (int t = 0; t < n_threads; ++t) {
            threads.emplace_back([&, t] {
                const float * p = buf.data() + t * part;
                sinks[t] = simd ? sum_avx2(p, part) : sum_portable(p, part);
            });
        }
        for (auto & th : threads) th.join();
        best = std::min(best, ms_since(t0));
    }
    return static_cast<double>(n) * 4 / (best / 1000) / 1e9;
}

} // namespace amanuensis

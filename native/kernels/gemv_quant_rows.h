// The row loop the quantized gemv kernels share (gemv_quant_avx2.cc, gemv_quant_avx512.cc,
// gemv_quant_vnni.cc): weight rows one after another, each row's successors prefetched, the input
// rows in passes of up to PASS that share one reading of the weight row, every output through the
// epilogue. `dots.template run<MG>(row, m0, out)` computes one weight row against input rows
// m0 .. m0 + MG - 1; it carries the kernel's target attributes, this loop needs none.
#pragma once

#include <xmmintrin.h>

#include <algorithm>
#include <cstdint>

#include "gemm.h"
#include "gemm_epilogue.h"

namespace amanuensis::simd {

// How far ahead of the row being computed its successors are prefetched, in rows.
constexpr int QUANT_PREFETCH_ROWS = 4;

// dots.run<MG> for the pass's row count mg (1 .. PASS), each MG a separate instantiation so
// that its accumulators stay in registers.
template <int MG, int PASS, class Dots>
inline void run_pass(int mg, const Dots & dots, const uint8_t * row, int m0, float * out) {
    if constexpr (MG < PASS) {
        if (mg != MG) {
            run_pass<MG + 1, PASS>(mg, dots, row, m0, out);
            return;
        }
    }
    dots.template run<MG>(row, m0, out);
}

// C[m, n] (epilogue applied) for m < M and n_begin <= n < n_end, the weight rows `row_bytes` apart from `base`.
template <int PASS, class Dots>
void gemv_quant_rows(int M, int n_begin, int n_end, const uint8_t * base, int64_t row_bytes, float * C, int64_t ldc,
                     const gemm_epilogue & ep, const Dots & dots) {
    const uint8_t * prefetch_end = base + static_cast<int64_t>(n_end) * row_bytes;
    for (int n = n_begin; n < n_end; ++n) {
        const uint8_t * row = base + static_cast<int64_t>(n) * row_bytes;
        // rows are contiguous: keep the lines QUANT_PREFETCH_ROWS rows ahead on their way
        const uint8_t * ahead = row + QUANT_PREFETCH_ROWS * row_bytes;
        for (const uint8_t * p = ahead; p < ahead + row_bytes && p < prefetch_end; p += 64) {
            _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
        }
        for (int m0 = 0; m0 < M; m0 += PASS) {
            const int mg = std::min(PASS, M - m0);
            float out[PASS];
            run_pass<1, PASS>(mg, dots, row, m0, out);
            for (int i = 0; i < mg; ++i) {
                float & c = C[static_cast<int64_t>(m0 + i) * ldc + n];
                c = apply_epilogue(c, out[i], n, true, true, ep.bias, ep);
            }
        }
    }
}

} // namespace amanuensis::simd

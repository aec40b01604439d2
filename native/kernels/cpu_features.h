// Run-time CPU feature detection: the AVX2/FMA/F16C kernels are used only when the
// CPU has all three; otherwise the portable kernels run.
#pragma once

namespace amanuensis {

struct cpu_features {
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512vnni = false;
};

cpu_features detect_cpu_features();

// True when the SIMD kernels can run on this CPU.
bool simd_kernels_supported();

// True when the AVX-512 GEMM micro-kernel can also run (AVX-512F with OS support for its state).
bool avx512_kernels_supported();

// True when the 8-bit-activation products for quantized weights can run too (AVX-512 BW, VL and VNNI).
bool int8_kernels_supported();

} // namespace amanuensis

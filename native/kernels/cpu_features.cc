#include "cpu_features.h"

namespace amanuensis {

cpu_features detect_cpu_features() {
    cpu_features f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.f16c = __builtin_cpu_supports("f16c");
    // libgcc's detection also requires the OS to save the zmm state (XCR0)
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
#endif
    return f;
}

bool simd_kernels_supported() {
    static const bool supported = [] {
        const cpu_features f = detect_cpu_features();
        return f.avx2 && f.fma && f.f16c;
    }();
    return supported;
}

bool avx512_kernels_supported() {
    static const bool supported = simd_kernels_supported() && detect_cpu_features().avx512f;
    return supported;
}

bool int8_kernels_supported() {
    static const bool supported = [] {
        const cpu_features f = detect_cpu_features();
        return avx512_kernels_supported() && f.avx512bw && f.avx512vl && f.avx512vnni;
    }();
    return supported;
}

} // namespace amanuensis

#include "software_device.h"

#include <string>

#include "kernels/gemm.h"
#include "kernels/cpu_features.h"
#include "core/whisper_model.h"
#include "bf16.h"

namespace amanuensis {

software_gemm_device::software_gemm_device(gemm_tile_shape tile, int slots) : tile_(tile) {
    for (int side : {tile.m, tile.k, tile.n}) {
        if (side < 1 || side > 1024) {
            throw native_error(errc::invalid_argument, "tile sides must be in [1, 1024], got " + std::to_string(side));
        }
    }
    if (slots < 1 || slots > 8) {
        throw native_error(errc::invalid_argument, "slots must be in [1, 8]");
    }
    slots_.resize(slots);
    for (slot_buffers & s : slots_) {
        s.a.assign(static_cast<size_t>(tile.m) * tile.k, 0);
        s.b.assign(static_cast<size_t>(tile.k) * tile.n, 0);
        s.c.assign(static_cast<size_t>(tile.m) * tile.n, 0.0f);
        s.a32.resize(s.a.size());
        s.b32.resize(s.b.size());
    }
}

void software_gemm_device::start(int slot) {
    slot_buffers & s = slots_.at(slot);
    for (size_t i = 0; i < s.a.size(); ++i) {
        s.a32[i] = bf16_to_fp32(s.a[i]);
    }
    for (size_t i = 0; i < s.b.size(); ++i) {
        s.b32[i] = bf16_to_fp32(s.b[i]);
    }
    // products of bf16 values are exact in f32; the sums are f32, as on the NPU's accumulators
    const gemm_b b{s.b32.data(), dtype::f32, 1, tile_.n};
    const kernel_path path = simd_kernels_supported() ? kernel_path::simd : kernel_path::portable;
    gemm(tile_.m, tile_.n, tile_.k, s.a32.data(), tile_.k, b, s.c.data(), tile_.n, gemm_epilogue{}, path);
    ++tiles_run_;
}

} // namespace amanuensis

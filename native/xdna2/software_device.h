// A gemm_device that runs on the CPU: the same tiles, bf16 inputs and f32 accumulation as
// the NPU kernel, so everything on the host side of the offload can be tested without one.
#pragma once

#include <vector>

#include "gemm_device.h"

namespace amanuensis {

class software_gemm_device : public gemm_device {
public:
    // Throws native_error(errc::invalid_argument) for a tile side outside [1, 1024] or slots outside [1, 8].
    software_gemm_device(gemm_tile_shape tile, int slots);

    std::string name() const override { return "software"; }
    gemm_tile_shape tile() const override { return tile_; }
    int slots() const override { return static_cast<int>(slots_.size()); }
    uint16_t * a(int slot) override { return slots_.at(slot).a.data(); }
    uint16_t * b(int slot) override { return slots_.at(slot).b.data(); }
    const float * c(int slot) override { return slots_.at(slot).c.data(); }
    void start(int slot) override;
    void wait(int slot) override {}

    // Tiles executed so far.
    int64_t tiles_run() const { return tiles_run_; }

private:
    struct slot_buffers {
        std::vector<uint16_t> a;
        std::vector<uint16_t> b;
        std::vector<float> c;
        std::vector<float> a32;  // widened copies: bf16 -> f32 is exact
        std::vector<float> b32;
    };
    gemm_tile_shape tile_;
    std::vector<slot_buffers> slots_;
    int64_t tiles_run_ = 0;
};

} // namespace amanuensis

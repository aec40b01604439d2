// The device side of the XDNA2 offload: a bf16 GEMM kernel of one fixed tile shape,
//   C[m, n] = A[m, k] * B[k, n]   (A, B bf16 row-major; C f32 row-major, accumulated in f32),
// with a few buffer slots so that the host can fill one slot while another runs.
// No Node-API types: the XRT device and the software device implement it.
#pragma once

#include <cstdint>
#include <string>

namespace amanuensis {

struct gemm_tile_shape {
    int m = 0;
    int k = 0;
    int n = 0;
};

class gemm_device {
public:
    virtual ~gemm_device() = default;

    // e.g. "xrt" or "software"
    virtual std::string name() const = 0;
    virtual gemm_tile_shape tile() const = 0;
    // How many tiles can be in flight (2: double-buffered).
    virtual int slots() const = 0;

    // Host-visible input and output buffers of a slot: A [m, k], B [k, n] bf16, C [m, n] f32.
    virtual uint16_t * a(int slot) = 0;
    virtual uint16_t * b(int slot) = 0;
    virtual const float * c(int slot) = 0;

    // Starts the kernel on a slot's inputs; wait() returns when its C is readable.
    // Both throw native_error(errc::backend, ...) when the device fails.
    virtual void start(int slot) = 0;
    virtual void wait(int slot) = 0;
};

} // namespace amanuensis

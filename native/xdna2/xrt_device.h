// The gemm_device of an XDNA2 NPU through XRT: the user's xclbin and instruction stream
// for a bf16 GEMM kernel of fixed tile shape, called with the argument convention of the
// mlir-aie NPU examples: (opcode 3, instruction buffer, instruction count, A, B, C).
// One run handle and one set of buffers per slot, so two tiles can be in flight.
#pragma once

#include <memory>
#include <vector>

#include "gemm_device.h"
#include "xrt_library.h"

namespace amanuensis {

struct xrt_device_config {
    std::string library = "libxrt_coreutil.so.2";
    unsigned int device_index = 0;  // XRT's device index
    std::string xclbin;             // compiled NPU design
    std::string instructions;       // its instruction stream: raw little-endian 32-bit words, or hex words one per line (.txt)
    std::string kernel_name = "MLIR_AIE";
    gemm_tile_shape tile;
    int slots = 2;
};

// Throws native_error(errc::backend_unavailable, reason) when XRT, the artifacts or the
// device cannot be opened.
std::unique_ptr<gemm_device> open_xrt_gemm_device(const xrt_device_config & config);

// The instruction words of an instruction-stream file. Throws native_error(errc::backend_unavailable).
std::vector<uint32_t> read_instruction_stream(const std::string & path);

} // namespace amanuensis

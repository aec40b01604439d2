// The Xilinx Runtime's C API (libxrt_coreutil.so.2), loaded at run time with dlopen so that
// the prebuilt addon loads, and falls back, on machines without XRT. Only the functions the
// XDNA2 GEMM offload uses are resolved; their signatures are those of XRT's experimental/
// xrt_device.h, xrt_kernel.h and xrt_bo.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace amanuensis {

struct xrt_library {
    using handle = void *;
    handle (*device_open)(unsigned int index) = nullptr;
    int (*device_close)(handle device) = nullptr;
    int (*device_load_xclbin_file)(handle device, const char * path) = nullptr;
    int (*device_get_xclbin_uuid)(handle device, unsigned char uuid[16]) = nullptr;
    handle (*kernel_open)(handle device, const unsigned char uuid[16], const char * name) = nullptr;
    int (*kernel_close)(handle kernel) = nullptr;
    int (*kernel_arg_group_id)(handle kernel, int arg) = nullptr;
    handle (*bo_alloc)(handle device, size_t size, uint64_t flags, uint32_t group) = nullptr;
    int (*bo_free)(handle bo) = nullptr;
    void * (*bo_map)(handle bo) = nullptr;
    int (*bo_sync)(handle bo, int direction, size_t size, size_t offset) = nullptr;
    handle (*run_open)(handle kernel) = nullptr;
    int (*run_set_arg)(handle run, int index, ...) = nullptr;
    int (*run_start)(handle run) = nullptr;
    int (*run_wait)(handle run) = nullptr;  // returns an ert_cmd_state
    int (*run_close)(handle run) = nullptr;

    void * dl = nullptr;
};

// xclBOSyncDirection and ert_cmd_state values used here.
constexpr int XRT_SYNC_TO_DEVICE = 0;
constexpr int XRT_SYNC_FROM_DEVICE = 1;
constexpr int XRT_CMD_STATE_COMPLETED = 4;
// Buffer flags of the NPU examples: the instruction stream is cacheable, operands host-only.
constexpr uint64_t XRT_BO_FLAGS_CACHEABLE = 1ull << 24;
constexpr uint64_t XRT_BO_FLAGS_HOST_ONLY = 1ull << 29;

// Loads the library at `path` (a bare soname searches the usual library path). On failure
// returns false with `reason` set to the user-facing reason ("libxrt_coreutil.so.2 not
// found", or which function is missing) and `detail` to the loader's message.
bool xrt_library_load(const std::string & path, xrt_library & lib, std::string & reason, std::string & detail);

// dlclose; the table is emptied.
void xrt_library_unload(xrt_library & lib);

} // namespace amanuensis

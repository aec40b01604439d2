#include "xrt_library.h"

#include <dlfcn.h>

namespace amanuensis {

namespace {

template <typename Fn>
bool resolve(void * dl, const char * symbol, Fn & fn, std::string & missing) {
    fn = reinterpret_cast<Fn>(dlsym(dl, symbol));
    if (fn == nullptr && missing.empty()) {
        missing = symbol;
    }
    return fn != nullptr;
}

} // namespace

bool xrt_library_load(const std::string & path, xrt_library & lib, std::string & reason, std::string & detail) {
    lib = xrt_library{};
    void * dl = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (dl == nullptr) {
        reason = "libxrt_coreutil.so.2 not found";
        const char * message = dlerror();
        detail = message != nullptr ? message : path;
        return false;
    }
    std::string missing;
    resolve(dl, "xrtDeviceOpen", lib.device_open, missing);
    resolve(dl, "xrtDeviceClose", lib.device_close, missing);
    resolve(dl, "xrtDeviceLoadXclbinFile", lib.device_load_xclbin_file, missing);
    resolve(dl, "xrtDeviceGetXclbinUUID", lib.device_get_xclbin_uuid, missing);
    resolve(dl, "xrtPLKernelOpen", lib.kernel_open, missing);
    resolve(dl, "xrtKernelClose", lib.kernel_close, missing);
    resolve(dl, "xrtKernelArgGroupId", lib.kernel_arg_group_id, missing);
    resolve(dl, "xrtBOAlloc", lib.bo_alloc, missing);
    resolve(dl, "xrtBOFree", lib.bo_free, missing);
    resolve(dl, "xrtBOMap", lib.bo_map, missing);
    resolve(dl, "xrtBOSync", lib.bo_sync, missing);
    resolve(dl, "xrtRunOpen", lib.run_open, missing);
    resolve(dl, "xrtRunSetArg", lib.run_set_arg, missing);
    resolve(dl, "xrtRunStart", lib.run_start, missing);
    resolve(dl, "xrtRunWait", lib.run_wait, missing);
    resolve(dl, "xrtRunClose", lib.run_close, missing);
    if (!missing.empty()) {
        dlclose(dl);
        lib = xrt_library{};
        reason = "libxrt_coreutil.so.2 does not export " + missing + " (XRT too old?)";
        detail = path;
        return false;
    }
    lib.dl = dl;
    return true;
}

void xrt_library_unload(xrt_library & lib) {
    if (lib.dl != nullptr) {
        dlclose(lib.dl);
    }
    lib = xrt_library{};
}

} // namespace amanuensis

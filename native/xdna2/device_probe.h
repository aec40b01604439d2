// Finds an XDNA NPU: a /dev/accel/accel<N> node whose sysfs device is bound to the amdxdna
// driver. The roots are parameters so that tests can point them at fake trees.
#pragma once

#include <string>

namespace amanuensis {

struct npu_device {
    bool found = false;
    int index = -1;            // N of accel<N>
    std::string node;          // <dev_root>/accel/accel<N>
    std::string reason;        // why none was found
};

// Looks at <dev_root>/accel/accel* and <sys_root>/class/accel/accel<N>/device/driver.
npu_device find_npu_device(const std::string & dev_root, const std::string & sys_root);

} // namespace amanuensis

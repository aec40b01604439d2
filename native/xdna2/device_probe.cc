#include "device_probe.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace amanuensis {

namespace fs = std::filesystem;

namespace {

// "accel12" -> 12; anything else -> -1
int accel_index(const std::string & name) {
    const std::string prefix = "accel";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
        return -1;
    }
    const std::string digits = name.substr(prefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) || digits.size() > 6) {
        return -1;
    }
    return std::stoi(digits);
}

std::string driver_of(const std::string & sys_root, const std::string & node_name) {
    std::error_code ec;
    const fs::path link = fs::path(sys_root) / "class" / "accel" / node_name / "device" / "driver";
    const fs::path target = fs::read_symlink(link, ec);
    return ec ? std::string() : target.filename().string();
}

} // namespace

npu_device find_npu_device(const std::string & dev_root, const std::string & sys_root) {
    npu_device result;
    result.reason = "no /dev/accel device bound to amdxdna";
    std::error_code ec;
    std::vector<std::pair<int, std::string>> nodes;
    for (fs::directory_iterator it(fs::path(dev_root) / "accel", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const int index = accel_index(name);
        if (index >= 0) {
            nodes.emplace_back(index, name);
        }
    }
    std::sort(nodes.begin(), nodes.end());
    for (const auto & [index, name] : nodes) {
        if (driver_of(sys_root, name) != "amdxdna") {
            continue;
        }
        const std::string node = (fs::path(dev_root) / "accel" / name).string();
        if (access(node.c_str(), R_OK | W_OK) != 0) {
            result.reason = "no permission to open " + node + " (add the user to the render group)";
            continue;
        }
        result.found = true;
        result.index = index;
        result.node = node;
        result.reason.clear();
        return result;
    }
    return result;
}

} // namespace amanuensis

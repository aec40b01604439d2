// Node-API surface of the XDNA2 offload: xdna2Probe, createXdna2Encoder (NativeXdna2Encoder)
// and tiledLinear (the host tiling on the software device, for tests and benchmarks).
#pragma once

#include <napi.h>

namespace amanuensis {

void define_xdna2(Napi::Env env, Napi::Object exports);

} // namespace amanuensis

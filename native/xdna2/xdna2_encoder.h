// The Whisper encoder with its projections on an XDNA2 NPU, in the shape of whisper.cpp's
// accelerator encoders: probe / init / encode / free, no Node-API types. Conv stem, layer
// norms, attention, softmax and GELU stay on the CPU kernels; the Q/K/V, output and MLP
// projections run as bf16 GEMM tiles on a gemm_device (XRT, or the software device).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cpu_encoder.h"
#include "core/whisper_model.h"
#include "gemm_device.h"

namespace amanuensis {

struct xdna2_config {
    std::string library = "libxrt_coreutil.so.2";
    std::string dev_root = "/dev";
    std::string sys_root = "/sys";
    std::string xclbin;
    std::string instructions;
    std::string kernel_name = "MLIR_AIE";
    unsigned int device_index = 0;
    gemm_tile_shape tile{128, 128, 128};
    int slots = 2;
    bool software_device = false;  // run the tiles on the CPU instead of the NPU (no probe)
};

struct xdna2_probe_result {
    bool available = false;
    std::string reason;  // why not, in the words listBackends() reports
    std::string detail;  // e.g. the loader's message
    std::string device;  // the accel node found
};

// Device, then library, then artifacts; the first missing one is the reason.
xdna2_probe_result xdna2_probe(const xdna2_config & config);

struct xdna2_encoder;

struct xdna2_encode_report {
    std::string device;       // "xrt" or "software"
    int64_t tiles = 0;        // kernel launches
    double padding = 0;       // fraction of the device's multiply-adds spent on padding
    double projection_ms = 0; // time in the offloaded projections
    encoder_timings timings;
    std::vector<std::vector<float>> layer_outputs;  // filled when collect_layers
};

// Opens the device (software_device: none) and packs the model's encoder weights into bf16
// tiles. Throws native_error(errc::backend_unavailable, reason) or (errc::invalid_argument).
xdna2_encoder * xdna2_encoder_init(const xdna2_config & config, std::shared_ptr<const whisper_model> model);

// As whisper_encode; calls on one encoder are serialised (one device). Throws native_error.
void xdna2_encode(xdna2_encoder * encoder, const float * mel, int n_mels, int n_frames, float * out, int n_threads,
                  bool collect_layers, xdna2_encode_report * report);

void xdna2_encoder_free(xdna2_encoder * encoder);

// The model an encoder runs.
const whisper_model & xdna2_encoder_model(const xdna2_encoder * encoder);

} // namespace amanuensis

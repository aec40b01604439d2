#include "xdna2_encoder.h"

#include <chrono>
#include <fstream>
#include <mutex>
#include <unordered_map>

#include "core/cpu_encoder.h"
#include "device_probe.h"
#include "software_device.h"
#include "tiled_gemm.h"
#include "xrt_device.h"
#include "xrt_library.h"

namespace amanuensis {

namespace {

bool file_exists(const std::string & path) { return std::ifstream(path).good(); }

// The encoder_projection that sends every block projection through the tiled device GEMM.
class tiled_projection : public encoder_projection {
public:
    tiled_projection(gemm_device & device, const std::unordered_map<const void *, packed_weight> & weights)
        : device_(device), weights_(weights) {}

    void linear(int M, const float * A, int64_t lda, const matrix_view & W, float * C, int64_t ldc,
                const gemm_epilogue & ep) override {
        const auto it = weights_.find(W.data);
        if (it == weights_.end()) {
            throw native_error(errc::native, "a projection weight was not packed for the device");
        }
        const auto t0 = std::chrono::steady_clock::now();
        tiled_linear(device_, M, A, lda, it->second, C, ldc, ep, &stats_);
        ms_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }

    tiled_gemm_stats stats_;
    double ms_ = 0;

private:
    gemm_device & device_;
    const std::unordered_map<const void *, packed_weight> & weights_;
};

} // namespace

struct xdna2_encoder {
    std::shared_ptr<const whisper_model> model;
    std::unique_ptr<gemm_device> device;
    std::unordered_map<const void *, packed_weight> weights;  // by the model's weight pointer
    std::mutex busy;
};

xdna2_probe_result xdna2_probe(const xdna2_config & config) {
    xdna2_probe_result r;
    const npu_device dev = find_npu_device(config.dev_root, config.sys_root);
    if (!dev.found) {
        r.reason = dev.reason;
        return r;
    }
    r.device = dev.node;
    xrt_library lib;
    if (!xrt_library_load(config.library, lib, r.reason, r.detail)) {
        return r;
    }
    xrt_library_unload(lib);
    if (config.xclbin.empty() || config.instructions.empty()) {
        r.reason = "no kernel artifacts configured";
        return r;
    }
    for (const std::string & path : {config.xclbin, config.instructions}) {
        if (!file_exists(path)) {
            r.reason = "kernel artifact not found: " + path;
            return r;
        }
    }
    r.available = true;
    return r;
}

xdna2_encoder * xdna2_encoder_init(const xdna2_config & config, std::shared_ptr<const whisper_model> model) {
    auto enc = std::make_unique<xdna2_encoder>();
    if (config.software_device) {
        enc->device = std::make_unique<software_gemm_device>(config.tile, config.slots);
    } else {
        const xdna2_probe_result probe = xdna2_probe(config);
        if (!probe.available) {
            throw native_error(errc::backend_unavailable, probe.reason);
        }
        xrt_device_config x;
        x.library = config.library;
        x.device_index = config.device_index;
        x.xclbin = config.xclbin;
        x.instructions = config.instructions;
        x.kernel_name = config.kernel_name;
        x.tile = config.tile;
        x.slots = config.slots;
        enc->device = open_xrt_gemm_device(x);
    }
    for (const encoder_layer & l : model->enc_layers) {
        for (const linear_layer * w : {&l.qkv, &l.out, &l.mlp0, &l.mlp2}) {
            enc->weights.emplace(w->w.data, pack_linear_weight(w->w, config.tile));
        }
    }
    enc->model = std::move(model);
    return enc.release();
}

void xdna2_encode(xdna2_encoder * encoder, const float * mel, int n_mels, int n_frames, float * out, int n_threads,
                  bool collect_layers, xdna2_encode_report * report) {
    std::lock_guard<std::mutex> lock(encoder->busy);
    tiled_projection projection(*encoder->device, encoder->weights);
    encode_options options;
    options.n_threads = n_threads;
    options.projection = &projection;
    options.timings = &report->timings;
    options.layer_outputs = collect_layers ? &report->layer_outputs : nullptr;
    whisper_encode(*encoder->model, mel, n_mels, n_frames, out, options);
    report->device = encoder->device->name();
    report->tiles = projection.stats_.tiles;
    report->padding = projection.stats_.padded_macs > 0
                          ? 1.0 - static_cast<double>(projection.stats_.useful_macs) / static_cast<double>(projection.stats_.padded_macs)
                          : 0.0;
    report->projection_ms = projection.ms_;
}

void xdna2_encoder_free(xdna2_encoder * encoder) { delete encoder; }

const whisper_model & xdna2_encoder_model(const xdna2_encoder * encoder) { return *encoder->model; }

} // namespace amanuensis

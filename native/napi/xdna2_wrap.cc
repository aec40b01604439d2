#include "napi/xdna2_wrap.h"

#include <memory>

#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/encoder_js.h"
#include "napi/linear_args.h"
#include "napi/model_wrap.h"
#include "napi/worker.h"
#include "xdna2/software_device.h"
#include "xdna2/tiled_gemm.h"
#include "xdna2/xdna2_encoder.h"

namespace amanuensis {

namespace {

gemm_tile_shape tile_field(const Napi::Object & o, gemm_tile_shape fallback) {
    const Napi::Value v = o.Get("tile");
    if (v.IsUndefined()) {
        return fallback;
    }
    if (!v.IsObject()) {
        invalid_argument(o.Env(), "tile must be { m, k, n }");
    }
    const Napi::Object t = v.As<Napi::Object>();
    return gemm_tile_shape{int_arg(t.Get("m"), "tile.m", 1, 1024), int_arg(t.Get("k"), "tile.k", 1, 1024),
                           int_arg(t.Get("n"), "tile.n", 1, 1024)};
}

xdna2_config config_from(const Napi::Value & v) {
    xdna2_config c;
    if (v.IsUndefined()) {
        return c;
    }
    if (!v.IsObject()) {
        invalid_argument(v.Env(), "the XDNA2 options must be an object");
    }
    const Napi::Object o = v.As<Napi::Object>();
    c.library = string_field(o, "library", c.library);
    c.dev_root = string_field(o, "devRoot", c.dev_root);
    c.sys_root = string_field(o, "sysRoot", c.sys_root);
    c.xclbin = string_field(o, "xclbin", c.xclbin);
    c.instructions = string_field(o, "instructions", c.instructions);
    c.kernel_name = string_field(o, "kernelName", c.kernel_name);
    c.device_index = static_cast<unsigned int>(int_field(o, "deviceIndex", 0, 0, 64));
    c.tile = tile_field(o, c.tile);
    c.slots = int_field(o, "slots", c.slots, 1, 8);
    c.software_device = string_field(o, "device", "xrt") == "software";
    return c;
}

// xdna2Probe(options?) -> { available, reason?, detail?, device? }
Napi::Value probe(const Napi::CallbackInfo & info) {
    const xdna2_probe_result r = xdna2_probe(config_from(info[0]));
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("available", r.available);
    if (!r.available) {
        o.Set("reason", r.reason);
    }
    if (!r.detail.empty()) {
        o.Set("detail", r.detail);
    }
    if (!r.device.empty()) {
        o.Set("device", r.device);
    }
    return o;
}

using encoder_ptr = std::shared_ptr<xdna2_encoder>;

class xdna2_encoder_wrap : public Napi::ObjectWrap<xdna2_encoder_wrap> {
public:
    static Napi::Function define(Napi::Env env) {
        return DefineClass(env, "NativeXdna2Encoder",
                           {InstanceMethod("encode", &xdna2_encoder_wrap::encode),
                            InstanceMethod("release", &xdna2_encoder_wrap::release)});
    }

    explicit xdna2_encoder_wrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<xdna2_encoder_wrap>(info) {
        if (info.Length() != 1 || !info[0].IsExternal()) {
            invalid_argument(info.Env(), "NativeXdna2Encoder is created by createXdna2Encoder()");
        }
        encoder_ = *info[0].As<Napi::External<encoder_ptr>>().Data();
    }

private:
    class encode_worker : public promise_worker {
    public:
        encode_worker(Napi::Env env, encoder_ptr encoder, encode_input in, size_t n_out)
            : promise_worker(env), encoder_(std::move(encoder)), in_(std::move(in)), n_out_(n_out) {}

    protected:
        void run() override {
            features_.reserve(n_out_);
            xdna2_encode(encoder_.get(), in_.mel.data(), in_.n_mels, in_.n_frames, features_.data(), in_.n_threads, in_.layers,
                         &report_);
        }
        Napi::Value result(Napi::Env env) override {
            Napi::Object o = Napi::Object::New(env);
            o.Set("features", deliver(env, in_.out, features_.data(), n_out_));
            o.Set("device", report_.device);
            o.Set("tiles", static_cast<double>(report_.tiles));
            o.Set("padding", report_.padding);
            o.Set("projectionMs", report_.projection_ms);
            o.Set("timings", encoder_timings_to_js(env, report_.timings));
            if (in_.layers) {
                o.Set("layers", layer_outputs_to_js(env, report_.layer_outputs));
            }
            return o;
        }

    private:
        encoder_ptr encoder_;
        encode_input in_;
        size_t n_out_;
        aligned_buffer<float> features_;
        xdna2_encode_report report_;
    };

    // encode(mel, { nMels, nFrames, threads, layers?, out? }) -> Promise<report> (stage times always reported)
    Napi::Value encode(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        if (!encoder_) {
            throw make_error(env, errc::closed, "this XDNA2 encoder has been released");
        }
        // a copy: reading the options runs JS (getters), which may release this handle
        const encoder_ptr encoder = encoder_;
        const whisper_hparams & hp = xdna2_encoder_model(encoder.get()).hparams;
        const size_t n_out = static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state;
        encode_input in = read_encode_input(info, n_out);
        return queue_worker<encode_worker>(env, encoder, std::move(in), n_out);
    }

    // Drops this handle's reference; the device closes when no encode is running on it.
    Napi::Value release(const Napi::CallbackInfo & info) {
        encoder_.reset();
        return info.Env().Undefined();
    }

    encoder_ptr encoder_;
};

class init_worker : public promise_worker {
public:
    init_worker(Napi::Env env, xdna2_config config, std::shared_ptr<whisper_model> model)
        : promise_worker(env), config_(std::move(config)), model_(std::move(model)) {}

protected:
    void run() override { encoder_ = encoder_ptr(xdna2_encoder_init(config_, model_), xdna2_encoder_free); }
    Napi::Value result(Napi::Env env) override {
        auto * holder = new encoder_ptr(std::move(encoder_));
        auto ext = Napi::External<encoder_ptr>::New(env, holder, [](Napi::Env, encoder_ptr * p) { delete p; });
        return addon_data::of(env).xdna2_encoder_ctor.New({ext});
    }

private:
    xdna2_config config_;
    std::shared_ptr<whisper_model> model_;
    encoder_ptr encoder_;
};

// createXdna2Encoder(model, options) -> Promise<NativeXdna2Encoder>
Napi::Value create_encoder(const Napi::CallbackInfo & info) {
    std::shared_ptr<whisper_model> model = model_wrap::unwrap(info[0]);
    return queue_worker<init_worker>(info.Env(), config_from(info[1]), std::move(model));
}

class tiled_linear_worker : public promise_worker {
public:
    tiled_linear_worker(Napi::Env env, float_copy a, int m, float_copy w, int n, int k, linear_epilogue_args ep,
                        gemm_tile_shape tile, int slots)
        : promise_worker(env), a_(std::move(a)), m_(m), w_(std::move(w)), n_(n), k_(k), ep_(std::move(ep)), tile_(tile),
          slots_(slots) {}

protected:
    void run() override {
        software_gemm_device device(tile_, slots_);
        const packed_weight packed = pack_linear_weight(matrix_view{w_.data(), dtype::f32, n_, k_}, tile_);
        out_ = ep_.initial_output(static_cast<size_t>(m_) * n_);
        tiled_linear(device, m_, a_.data(), k_, packed, out_.data(), n_, ep_.epilogue(), &stats_);
    }
    Napi::Value result(Napi::Env env) override {
        Napi::Object o = Napi::Object::New(env);
        o.Set("c", to_js(env, out_.data(), out_.size()));
        o.Set("tiles", static_cast<double>(stats_.tiles));
        o.Set("paddedMacs", static_cast<double>(stats_.padded_macs));
        return o;
    }

private:
    float_copy a_;
    int m_;
    float_copy w_;
    int n_, k_;
    linear_epilogue_args ep_;
    gemm_tile_shape tile_;
    int slots_;
    std::vector<float> out_;
    tiled_gemm_stats stats_;
};

// tiledLinear(A [M, K], W [N, K], { m, n, k, tile?, slots?, bias?, gelu?, c? }) -> Promise<{ c [M, N], tiles, paddedMacs }>
// on the software device; `c` given means C += (the residual epilogue).
Napi::Value tiled_linear_js(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const Napi::Object o = options_arg(info, 2, "tiledLinear(A, W, { m, n, k, tile?, slots?, bias?, gelu?, c? })");
    float_copy a = copy_floats(info[0], "A");
    float_copy w = copy_floats(info[1], "W");
    const int m = int_field(o, "m", 1, 1 << 16);
    const int n = int_field(o, "n", 1, 1 << 17);
    const int k = int_field(o, "k", 1, 1 << 16);
    if (a.size() != static_cast<size_t>(m) * k || w.size() != static_cast<size_t>(n) * k) {
        invalid_argument(env, "A must be [m, k] and W [n, k]");
    }
    return queue_worker<tiled_linear_worker>(env, std::move(a), m, std::move(w), n, k, linear_epilogue_options(env, o, m, n),
                                             tile_field(o, gemm_tile_shape{128, 128, 128}), int_field(o, "slots", 2, 1, 8));
}

} // namespace

void define_xdna2(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = xdna2_encoder_wrap::define(env);
    addon_data::of(env).xdna2_encoder_ctor = Napi::Persistent(ctor);
    exports.Set("NativeXdna2Encoder", ctor);
    exports.Set("xdna2Probe", Napi::Function::New(env, probe, "xdna2Probe"));
    exports.Set("createXdna2Encoder", Napi::Function::New(env, create_encoder, "createXdna2Encoder"));
    exports.Set("tiledLinear", Napi::Function::New(env, tiled_linear_js, "tiledLinear"));
}

} // namespace amanuensis

#include "napi/vad_wrap.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "kernels/cpu_features.h"
#include "napi/abort_flag.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/worker.h"

namespace amanuensis {

namespace {

class load_vad_worker : public promise_worker {
public:
    load_vad_worker(Napi::Env env, Napi::Value file, int n_threads, kernel_path path)
        : promise_worker(env), n_threads_(n_threads), path_(path) {
        if (file.IsString()) {
            path_name_ = file.As<Napi::String>().Utf8Value();
        } else {
            // a copy: the caller could change its buffer while the worker reads it
            Napi::Uint8Array b = file.As<Napi::Uint8Array>();
            bytes_.assign(b.Data(), b.Data() + b.ByteLength());
        }
    }

protected:
    void run() override {
        silero_vad_weights w = path_name_.empty() ? silero_vad_parse(bytes_.data(), bytes_.size()) : silero_vad_read_file(path_name_);
        model_ = std::make_shared<const silero_vad_model>(std::move(w), n_threads_, path_);
    }
    Napi::Value result(Napi::Env env) override { return vad_wrap::wrap(env, model_); }

private:
    std::vector<uint8_t> bytes_;
    std::string path_name_;
    int n_threads_;
    kernel_path path_;
    std::shared_ptr<const silero_vad_model> model_;
};

bool flag_raised(const void * flag) { return static_cast<const std::atomic<bool> *>(flag)->load(std::memory_order_relaxed); }

class vad_probabilities_worker : public promise_worker {
public:
    vad_probabilities_worker(Napi::Env env, std::shared_ptr<const silero_vad_model> model, float_copy samples, silero_vad_state state,
                             silero_vad_framing framing, int n_threads, std::shared_ptr<std::atomic<bool>> abort)
        : promise_worker(env), model_(std::move(model)), samples_(std::move(samples)), state_(state), framing_(framing),
          n_threads_(n_threads), abort_(std::move(abort)) {}

protected:
    void run() override {
        probs_.resize((samples_.size() + silero_vad_dims::window - 1) / silero_vad_dims::window);
        model_->probabilities(samples_.data(), samples_.size(), state_, probs_.data(), framing_, n_threads_,
                              abort_ ? &flag_raised : nullptr, abort_.get());
    }

    Napi::Value result(Napi::Env env) override {
        Napi::Object out = Napi::Object::New(env);
        out.Set("probabilities", to_js(env, probs_.data(), probs_.size()));
        Napi::Float32Array state = Napi::Float32Array::New(env, silero_vad_state::n_floats);
        float * s = state.Data();
        std::copy(state_.h, state_.h + silero_vad_dims::hidden, s);
        std::copy(state_.c, state_.c + silero_vad_dims::hidden, s + silero_vad_dims::hidden);
        std::copy(state_.context, state_.context + silero_vad_dims::context, s + 2 * silero_vad_dims::hidden);
        out.Set("state", state);
        return out;
    }

private:
    std::shared_ptr<const silero_vad_model> model_;
    float_copy samples_;
    silero_vad_state state_;
    silero_vad_framing framing_;
    int n_threads_;
    std::shared_ptr<std::atomic<bool>> abort_;
    std::vector<float> probs_;
};

} // namespace

Napi::Function vad_wrap::define(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "NativeVad",
                                      {InstanceMethod("probabilities", &vad_wrap::probabilities),
                                       InstanceMethod("info", &vad_wrap::info),
                                       InstanceMethod("createAbortFlag", &vad_wrap::create_abort_flag),
                                       InstanceMethod("release", &vad_wrap::release)});
    addon_data::of(env).vad_ctor = Napi::Persistent(ctor);
    return ctor;
}

Napi::Object vad_wrap::wrap(Napi::Env env, std::shared_ptr<const silero_vad_model> model) {
    auto * holder = new std::shared_ptr<const silero_vad_model>(std::move(model));
    Napi::External<std::shared_ptr<const silero_vad_model>> ext = Napi::External<std::shared_ptr<const silero_vad_model>>::New(
        env, holder, [](Napi::Env, std::shared_ptr<const silero_vad_model> * p) { delete p; });
    return addon_data::of(env).vad_ctor.New({ext});
}

vad_wrap::vad_wrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<vad_wrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
        invalid_argument(info.Env(), "NativeVad is created by loadVad()");
    }
    model_ = *info[0].As<Napi::External<std::shared_ptr<const silero_vad_model>>>().Data();
}

const std::shared_ptr<const silero_vad_model> & vad_wrap::model(Napi::Env env) const {
    if (!model_) {
        throw make_error(env, errc::closed, "this VAD model has been released");
    }
    return model_;
}

Napi::Value vad_wrap::probabilities(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const char * usage = "probabilities(samples: Float32Array, { threads, state?, framing?, abort? })";
    const std::shared_ptr<const silero_vad_model> m = model(env);  // a copy: reading options runs JS getters
    if (info.Length() < 1 || !is_float32_array(info[0])) {
        invalid_argument(env, std::string(usage) + ": samples must be a Float32Array");
    }
    const Napi::Object o = options_arg(info, 1, usage);
    const int n_threads = int_field(o, "threads", 1, 256);
    silero_vad_state state;
    const Napi::Value state_v = o.Get("state");
    if (!state_v.IsUndefined()) {
        if (!is_float32_array(state_v) || state_v.As<Napi::Float32Array>().ElementLength() != silero_vad_state::n_floats) {
            invalid_argument(env, "state must be a Float32Array of " + std::to_string(silero_vad_state::n_floats) + " values");
        }
        const float * s = state_v.As<Napi::Float32Array>().Data();
        std::copy(s, s + silero_vad_dims::hidden, state.h);
        std::copy(s + silero_vad_dims::hidden, s + 2 * silero_vad_dims::hidden, state.c);
        std::copy(s + 2 * silero_vad_dims::hidden, s + silero_vad_state::n_floats, state.context);
    }
    const std::string framing_name = string_field(o, "framing", "silero");
    if (framing_name != "silero" && framing_name != "whisper.cpp") {
        invalid_argument(env, "framing must be 'silero' or 'whisper.cpp'");
    }
    const silero_vad_framing framing = framing_name == "silero" ? silero_vad_framing::silero : silero_vad_framing::whisper_cpp;
    std::shared_ptr<std::atomic<bool>> abort = abort_flag_wrap::unwrap(o.Get("abort"));
    // copied last, after every getter has run
    float_copy samples = copy_floats(info[0], "samples");
    return queue_worker<vad_probabilities_worker>(env, m, std::move(samples), state, framing, n_threads, std::move(abort));
}

Napi::Value vad_wrap::info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const std::shared_ptr<const silero_vad_model> & m = model(env);
    Napi::Object o = Napi::Object::New(env);
    Napi::Array version = Napi::Array::New(env, 3);
    for (uint32_t i = 0; i < 3; ++i) {
        version.Set(i, m->weights().version[i]);
    }
    o.Set("version", version);
    o.Set("legacyStftShape", m->weights().legacy_stft_shape);
    o.Set("threads", m->n_threads());
    o.Set("kernels", m->path() == kernel_path::simd512 ? "avx512-avx2-fma-f16c"
                     : m->path() == kernel_path::simd ? "avx2-fma-f16c"
                                                      : "portable");
    return o;
}

Napi::Value vad_wrap::create_abort_flag(const Napi::CallbackInfo & info) {
    return addon_data::of(info.Env()).abort_flag_ctor.New({});
}

Napi::Value vad_wrap::release(const Napi::CallbackInfo & info) {
    model_.reset();
    return info.Env().Undefined();
}

Napi::Value load_vad(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const char * usage = "loadVad(file: Uint8Array | path, { threads, simd?, avx512? })";
    if (info.Length() < 1 || !(info[0].IsString() || (info[0].IsTypedArray() && info[0].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array))) {
        invalid_argument(env, std::string(usage) + ": file must be a Uint8Array or a path");
    }
    const Napi::Object o = options_arg(info, 1, usage);
    const int n_threads = int_field(o, "threads", 1, 256);
    const bool want_simd = bool_field(o, "simd", true);
    const bool want_avx512 = bool_field(o, "avx512", true);
    const kernel_path path = !want_simd || !simd_kernels_supported() ? kernel_path::portable
                             : want_avx512 && avx512_kernels_supported() ? kernel_path::simd512
                                                                         : kernel_path::simd;
    return queue_worker<load_vad_worker>(env, info[0], n_threads, path);
}

} // namespace amanuensis

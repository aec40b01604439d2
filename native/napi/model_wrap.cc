#include "napi/model_wrap.h"

#include "core/cpu_encoder.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/decoder_wrap.h"
#include "napi/encoder_js.h"
#include "napi/worker.h"

namespace amanuensis {

namespace {

class encode_worker : public promise_worker {
public:
    encode_worker(Napi::Env env, std::shared_ptr<whisper_model> model, encode_input in)
        : promise_worker(env), model_(std::move(model)), in_(std::move(in)) {}

protected:
    void run() override {
        const whisper_hparams & hp = model_->hparams;
        workspace_ = model_->encoder_scratch.acquire();
        encode_options options;
        options.n_threads = in_.n_threads;
        options.timings = in_.profile ? &timings_ : nullptr;
        options.layer_outputs = in_.layers ? &layer_outputs_ : nullptr;
        options.workspace = workspace_.get();
        options.abort = in_.abort.get();
        float * features = workspace_->features.reserve(static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state);
        whisper_encode(*model_, in_.mel.data(), in_.n_mels, in_.n_frames, features, options);
    }

    Napi::Value result(Napi::Env env) override {
        const whisper_hparams & hp = model_->hparams;
        Napi::Object out = Napi::Object::New(env);
        // into the caller's array when given (e.g. a pooled buffer)
        out.Set("features", deliver(env, in_.out, workspace_->features.data(), static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state));
        if (in_.profile) {
            out.Set("timings", encoder_timings_to_js(env, timings_));
        }
        if (in_.layers) {
            out.Set("layers", layer_outputs_to_js(env, layer_outputs_));
        }
        return out;
    }

    void finished() override { workspace_ = {}; }

private:
    std::shared_ptr<whisper_model> model_;
    encode_input in_;
    scratch_pool<encoder_workspace>::lease workspace_;  // held until JS has the features
    std::vector<std::vector<float>> layer_outputs_;
    encoder_timings timings_;
};

} // namespace

Napi::Function model_wrap::define(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "NativeModel",
                                      {InstanceMethod("encode", &model_wrap::encode),
                                       InstanceMethod("createDecoder", &model_wrap::create_decoder),
                                       InstanceMethod("info", &model_wrap::info),
                                       InstanceMethod("createAbortFlag", &model_wrap::create_abort_flag),
                                       InstanceMethod("release", &model_wrap::release)});
    addon_data::of(env).model_ctor = Napi::Persistent(ctor);
    return ctor;
}

Napi::Object model_wrap::wrap(Napi::Env env, std::shared_ptr<whisper_model> model) {
    auto * holder = new std::shared_ptr<whisper_model>(std::move(model));
    Napi::External<std::shared_ptr<whisper_model>> ext = Napi::External<std::shared_ptr<whisper_model>>::New(
        env, holder, [](Napi::Env, std::shared_ptr<whisper_model> * p) { delete p; });
    return addon_data::of(env).model_ctor.New({ext});
}

std::shared_ptr<whisper_model> model_wrap::unwrap(const Napi::Value & v) {
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(addon_data::of(v.Env()).model_ctor.Value())) {
        invalid_argument(v.Env(), "expected a NativeModel");
    }
    return Unwrap(v.As<Napi::Object>())->model(v.Env());
}

const std::shared_ptr<whisper_model> & model_wrap::model(Napi::Env env) const {
    if (!model_) {
        throw make_error(env, errc::closed, "this model has been released");
    }
    return model_;
}

Napi::Value model_wrap::create_abort_flag(const Napi::CallbackInfo & info) {
    return addon_data::of(info.Env()).abort_flag_ctor.New({});
}

Napi::Value model_wrap::release(const Napi::CallbackInfo & info) {
    model_.reset();
    return info.Env().Undefined();
}

model_wrap::model_wrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<model_wrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
        invalid_argument(info.Env(), "NativeModel is created by loadModel()");
    }
    model_ = *info[0].As<Napi::External<std::shared_ptr<whisper_model>>>().Data();
}

Napi::Value model_wrap::encode(const Napi::CallbackInfo & info) {
    // a copy: reading the options runs JS (getters), which may release this handle
    const std::shared_ptr<whisper_model> m = model(info.Env());
    const whisper_hparams & hp = m->hparams;
    encode_input in = read_encode_input(info, static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state);
    return queue_worker<encode_worker>(info.Env(), m, std::move(in));
}

Napi::Value model_wrap::create_decoder(const Napi::CallbackInfo & info) {
    const int n_seq = int_field(options_arg(info, 0, "createDecoder({ nSeq })"), "nSeq", 1, 64);
    try {
        return decoder_wrap::create(info.Env(), std::shared_ptr<decoder_state>(decoder_state_create(model(info.Env()), n_seq)));
    } catch (const native_error & e) {
        throw make_error(info.Env(), e.code(), e.what());
    } catch (const std::bad_alloc &) {
        throw make_error(info.Env(), errc::out_of_memory, "out of memory allocating the decoder caches");
    }
}

Napi::Value model_wrap::info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const std::shared_ptr<whisper_model> & m = model(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("kernels", m->path == kernel_path::simd512_int8 ? "avx512-vnni-avx2-fma-f16c"
                     : m->path == kernel_path::simd512 ? "avx512-avx2-fma-f16c"
                     : m->path == kernel_path::simd ? "avx2-fma-f16c"
                                                         : "portable");
    o.Set("threads", m->n_threads);
    o.Set("weightBytes", static_cast<double>(m->weight_bytes));
    return o;
}

} // namespace amanuensis

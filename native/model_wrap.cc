#include "model_wrap.h"

#include "decoder_wrap.h"
#include "encode_worker.h"
#include "napi_worker.h"

namespace amanuensis {

namespace {
Napi::FunctionReference * constructor_ref = nullptr;
} // namespace

Napi::Function model_wrap::define(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "NativeModel",
                                      {InstanceMethod("encode", &model_wrap::encode),
                                       InstanceMethod("createDecoder", &model_wrap::create_decoder),
                                       InstanceMethod("info", &model_wrap::info)});
    constructor_ref = new Napi::FunctionReference(Napi::Persistent(ctor));
    env.SetInstanceData<Napi::FunctionReference>(constructor_ref);
    return ctor;
}

Napi::Object model_wrap::wrap(Napi::Env env, std::shared_ptr<whisper_model> model) {
    auto * holder = new std::shared_ptr<whisper_model>(std::move(model));
    Napi::External<std::shared_ptr<whisper_model>> ext = Napi::External<std::shared_ptr<whisper_model>>::New(
        env, holder, [](Napi::Env, std::shared_ptr<whisper_model> * p) { delete p; });
    return env.GetInstanceData<Napi::FunctionReference>()->New({ext});
}

std::shared_ptr<whisper_model> model_wrap::unwrap(const Napi::Value & v) {
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(v.Env().GetInstanceData<Napi::FunctionReference>()->Value())) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", "expected a NativeModel");
    }
    return Unwrap(v.As<Napi::Object>())->model_;
}

model_wrap::model_wrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<model_wrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
        throw make_error(info.Env(), "ERR_INVALID_ARGUMENT", "NativeModel is created by loadModel()");
    }
    model_ = *info[0].As<Napi::External<std::shared_ptr<whisper_model>>>().Data();
}

Napi::Value model_wrap::encode(const Napi::CallbackInfo & info) { return queue_encode(info, model_); }

Napi::Value model_wrap::create_decoder(const Napi::CallbackInfo & info) {
    const int n_seq = int_arg(info[0], "nSeq", 1, 64);
    try {
        return decoder_wrap::create(info.Env(), std::shared_ptr<decoder_state>(decoder_state_create(model_, n_seq)));
    } catch (const native_error & e) {
        throw make_error(info.Env(), e.code(), e.what());
    } catch (const std::bad_alloc &) {
        throw make_error(info.Env(), "ERR_OUT_OF_MEMORY", "out of memory allocating the decoder caches");
    }
}

Napi::Value model_wrap::info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("kernels", model_->path == kernel_path::simd512 ? "avx512-avx2-fma-f16c"
                     : model_->path == kernel_path::simd ? "avx2-fma-f16c"
                                                         : "portable");
    o.Set("threads", model_->pool->n_threads());
    o.Set("weightBytes", static_cast<double>(model_->weight_bytes));
    return o;
}

} // namespace amanuensis

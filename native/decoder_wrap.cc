#include "decoder_wrap.h"

#include "decoder_worker.h"
#include "napi_worker.h"

namespace amanuensis {

namespace {
Napi::FunctionReference * decoder_ctor = nullptr;
} // namespace

Napi::Function decoder_wrap::define(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "NativeDecoder",
                                      {InstanceMethod("setFeatures", &decoder_wrap::set_features),
                                       InstanceMethod("step", &decoder_wrap::step),
                                       InstanceMethod("reorder", &decoder_wrap::reorder),
                                       InstanceMethod("rewind", &decoder_wrap::rewind),
                                       InstanceMethod("release", &decoder_wrap::release),
                                       InstanceAccessor("nPast", &decoder_wrap::n_past, nullptr)});
    // the constructor lives as long as the addon: the environment tears it down
    decoder_ctor = new Napi::FunctionReference(Napi::Persistent(ctor));
    env.AddCleanupHook([] {
        delete decoder_ctor;
        decoder_ctor = nullptr;
    });
    return ctor;
}

Napi::Object decoder_wrap::create(Napi::Env env, std::shared_ptr<decoder_state> state) {
    auto * holder = new std::shared_ptr<decoder_state>(std::move(state));
    auto ext = Napi::External<std::shared_ptr<decoder_state>>::New(
        env, holder, [](Napi::Env, std::shared_ptr<decoder_state> * p) { delete p; });
    return decoder_ctor->New({ext});
}

decoder_wrap::decoder_wrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<decoder_wrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
        throw make_error(info.Env(), "ERR_INVALID_ARGUMENT", "NativeDecoder is created by NativeModel.createDecoder()");
    }
    state_ = *info[0].As<Napi::External<std::shared_ptr<decoder_state>>>().Data();
}

void decoder_wrap::claim() {
    if (state_->released) {
        throw make_error(Env(), "ERR_CLOSED", "this decoder has been released");
    }
    bool expected = false;
    if (!state_->busy.compare_exchange_strong(expected, true)) {
        throw make_error(Env(), "ERR_DECODER_BUSY", "this decoder is already running an operation; await it first");
    }
}

Napi::Value decoder_wrap::set_features(const Napi::CallbackInfo & info) {
    const whisper_hparams & hp = state_->model->hparams;
    float_copy features = copy_floats(info[0], "features");
    const int n_threads = int_arg(info[1], "threads", 1, 256);
    if (features.size() != static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state) {
        throw make_error(info.Env(), "ERR_INVALID_ARGUMENT",
                         "audio features must be [" + std::to_string(hp.n_audio_ctx) + ", " + std::to_string(hp.n_audio_state) + "]");
    }
    claim();
    return queue_set_features(info.Env(), state_, std::move(features), n_threads);
}

Napi::Value decoder_wrap::step(const Napi::CallbackInfo & info) {
    std::vector<int32_t> tokens = copy_ints(info[0], "tokens");
    const int n_new = int_arg(info[1], "nNew", 1, 1 << 16);
    std::vector<int32_t> positions = copy_ints(info[2], "positions");
    const int n_threads = int_arg(info[3], "threads", 1, 256);
    if (tokens.size() != static_cast<size_t>(n_new) * state_->n_seq) {
        throw make_error(info.Env(), "ERR_INVALID_ARGUMENT", "tokens must hold nSeq * nNew values");
    }
    Napi::ObjectReference out = output_array(info.Length() > 4 ? info[4] : info.Env().Undefined(),
                                             static_cast<size_t>(state_->n_seq) * positions.size() * state_->model->hparams.n_vocab, "out");
    claim();
    return queue_step(info.Env(), state_, std::move(tokens), n_new, std::move(positions), n_threads, std::move(out));
}

Napi::Value decoder_wrap::reorder(const Napi::CallbackInfo & info) {
    std::vector<int32_t> source = copy_ints(info[0], "source");
    if (source.size() != static_cast<size_t>(state_->n_seq)) {
        throw make_error(info.Env(), "ERR_INVALID_ARGUMENT", "source must hold one index per sequence");
    }
    claim();
    try {
        decoder_reorder(*state_, source.data());
    } catch (const native_error & e) {
        state_->busy.store(false);
        throw make_error(info.Env(), e.code(), e.what());
    }
    state_->busy.store(false);
    return info.Env().Undefined();
}

Napi::Value decoder_wrap::rewind(const Napi::CallbackInfo & info) {
    claim();
    decoder_rewind(*state_);
    state_->busy.store(false);
    return info.Env().Undefined();
}

Napi::Value decoder_wrap::n_past(const Napi::CallbackInfo & info) { return Napi::Number::New(info.Env(), state_->n_past); }

// Frees the caches now instead of when the wrapper is collected; later operations throw ERR_CLOSED.
Napi::Value decoder_wrap::release(const Napi::CallbackInfo & info) {
    claim();
    decoder_release(*state_);
    // stays busy: every later operation is refused
    return info.Env().Undefined();
}

} // namespace amanuensis

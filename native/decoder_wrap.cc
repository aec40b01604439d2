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

step_job decoder_wrap::parse_step(const Napi::Value & tokens_v, const Napi::Value & n_new_v,
                                  const Napi::Value & positions_v, const Napi::Value & out_v) {
    Napi::Env env = tokens_v.Env();
    step_job job;
    job.state = state_;
    job.tokens = copy_ints(tokens_v, "tokens");
    job.n_new = int_arg(n_new_v, "nNew", 1, 1 << 16);
    job.positions = copy_ints(positions_v, "positions");
    if (job.tokens.size() != static_cast<size_t>(job.n_new) * state_->n_seq) {
        throw make_error(env, "ERR_INVALID_ARGUMENT", "tokens must hold nSeq * nNew values");
    }
    job.out = output_array(out_v, static_cast<size_t>(state_->n_seq) * job.positions.size() * state_->model->hparams.n_vocab, "out");
    claim();
    job.claimed = true;
    return job;
}

Napi::Value decoder_wrap::step(const Napi::CallbackInfo & info) {
    const int n_threads = int_arg(info[3], "threads", 1, 256);
    std::vector<step_job> jobs;
    jobs.push_back(parse_step(info[0], info[1], info[2], info.Length() > 4 ? info[4] : info.Env().Undefined()));
    return queue_step(info.Env(), std::move(jobs), n_threads, true);
}

Napi::Value decoder_wrap::step_batch(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsArray()) {
        throw make_error(env, "ERR_INVALID_ARGUMENT", "stepDecoders(entries, threads) takes an array of entries");
    }
    const int n_threads = int_arg(info[1], "threads", 1, 256);
    Napi::Array entries = info[0].As<Napi::Array>();
    std::vector<step_job> jobs(entries.Length());
    const whisper_model * model = nullptr;
    for (uint32_t i = 0; i < entries.Length(); ++i) {
        // an entry that cannot run settles as its own error; the rest of the batch still runs
        try {
            Napi::Value entry = entries.Get(i);
            Napi::Object o = entry.IsObject() ? entry.As<Napi::Object>() : Napi::Object();
            Napi::Value handle = o.IsEmpty() ? env.Undefined() : o.Get("decoder");
            if (!handle.IsObject() || !handle.As<Napi::Object>().InstanceOf(decoder_ctor->Value())) {
                throw make_error(env, "ERR_INVALID_ARGUMENT", "entry " + std::to_string(i) + " has no NativeDecoder in `decoder`");
            }
            decoder_wrap * d = Unwrap(handle.As<Napi::Object>());
            if (model != nullptr && d->state_->model.get() != model) {
                throw make_error(env, "ERR_INVALID_ARGUMENT", "decoders stepped together must belong to one model");
            }
            jobs[i] = d->parse_step(o.Get("tokens"), o.Get("nNew"), o.Get("positions"), o.Get("out"));
            model = d->state_->model.get();
        } catch (const Napi::Error & e) {
            Napi::Value code = e.Value().Get("code");
            jobs[i].error_code = code.IsString() ? code.As<Napi::String>().Utf8Value() : "ERR_INVALID_ARGUMENT";
            jobs[i].error_message = e.Message();
        }
    }
    return queue_step(env, std::move(jobs), n_threads, false);
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

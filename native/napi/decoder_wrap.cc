#include "napi/decoder_wrap.h"

#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/decode_loop_js.h"
#include "napi/decoder_align_js.h"

namespace amanuensis {

Napi::Function decoder_wrap::define(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "NativeDecoder",
                                      {InstanceMethod("setFeatures", &decoder_wrap::set_features),
                                       InstanceMethod("step", &decoder_wrap::step),
                                       InstanceMethod("reorder", &decoder_wrap::reorder),
                                       InstanceMethod("runLoop", &decoder_wrap::run_loop),
                                       InstanceMethod("align", &decoder_wrap::align),
                                       InstanceMethod("shareFeatures", &decoder_wrap::share_features),
                                       InstanceMethod("release", &decoder_wrap::release),
                                       InstanceAccessor("nPast", &decoder_wrap::n_past, nullptr)});
    addon_data::of(env).decoder_ctor = Napi::Persistent(ctor);
    return ctor;
}

Napi::Object decoder_wrap::create(Napi::Env env, std::shared_ptr<decoder_state> state) {
    auto * holder = new std::shared_ptr<decoder_state>(std::move(state));
    auto ext = Napi::External<std::shared_ptr<decoder_state>>::New(
        env, holder, [](Napi::Env, std::shared_ptr<decoder_state> * p) { delete p; });
    return addon_data::of(env).decoder_ctor.New({ext});
}

decoder_wrap::decoder_wrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<decoder_wrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
        invalid_argument(info.Env(), "NativeDecoder is created by NativeModel.createDecoder()");
    }
    state_ = *info[0].As<Napi::External<std::shared_ptr<decoder_state>>>().Data();
}

std::shared_ptr<decoder_state> decoder_wrap::claim_state(const Napi::Value & v) {
    Napi::Env env = v.Env();
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(addon_data::of(env).decoder_ctor.Value())) {
        invalid_argument(env, "expected a NativeDecoder");
    }
    decoder_wrap * d = Unwrap(v.As<Napi::Object>());
    d->claim();
    return d->state_;
}

void decoder_wrap::claim() {
    assert_open();
    bool expected = false;
    if (!state_->busy.compare_exchange_strong(expected, true)) {
        throw make_error(Env(), errc::decoder_busy, "this decoder is already running an operation; await it first");
    }
}

void decoder_wrap::assert_open() const {
    if (state_->released) {
        throw make_error(Env(), errc::closed, "this decoder has been released");
    }
}

Napi::Value decoder_wrap::set_features(const Napi::CallbackInfo & info) {
    assert_open();  // a released state has no model
    const whisper_hparams & hp = state_->model->hparams;
    float_copy features = copy_floats(info[0], "features");
    const Napi::Object o = options_arg(info, 1, "setFeatures(features, { threads, keepF32Heads? })");
    const int n_threads = int_field(o, "threads", 1, 256);
    std::vector<int32_t> f32_heads;
    if (!o.Get("keepF32Heads").IsUndefined()) {
        f32_heads = copy_ints(o.Get("keepF32Heads"), "keepF32Heads");
        if (f32_heads.size() % 2 != 0) {
            invalid_argument(info.Env(), "keepF32Heads must hold (layer, head) pairs");
        }
    }
    if (features.size() != static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state) {
        invalid_argument(info.Env(), "audio features must be [" + std::to_string(hp.n_audio_ctx) + ", " +
                                         std::to_string(hp.n_audio_state) + "]");
    }
    claim();
    return queue_set_features(info.Env(), state_, std::move(features), n_threads, std::move(f32_heads));
}

step_job decoder_wrap::parse_step(const Napi::Value & tokens_v, const Napi::Value & n_new_v,
                                  const Napi::Value & positions_v, const Napi::Value & out_v) {
    Napi::Env env = tokens_v.Env();
    assert_open();  // a released state has no model
    step_job job;
    job.state = state_;
    job.tokens = copy_ints(tokens_v, "tokens");
    job.n_new = int_arg(n_new_v, "nNew", 1, 1 << 16);
    job.positions = copy_ints(positions_v, "positions");
    if (job.tokens.size() != static_cast<size_t>(job.n_new) * state_->n_seq) {
        throw make_error(env, errc::invalid_argument, "tokens must hold nSeq * nNew values");
    }
    job.out = output_array(out_v, static_cast<size_t>(state_->n_seq) * job.positions.size() * state_->model->hparams.n_vocab, "out");
    claim();
    job.claimed = true;
    return job;
}

Napi::Value decoder_wrap::step(const Napi::CallbackInfo & info) {
    const Napi::Object o = options_arg(info, 1, "step(tokens, { nNew, positions, threads, out? })");
    const int n_threads = int_field(o, "threads", 1, 256);
    std::vector<step_job> jobs;
    jobs.push_back(parse_step(info[0], o.Get("nNew"), o.Get("positions"), o.Get("out")));
    return queue_step(info.Env(), std::move(jobs), n_threads, true);
}

Napi::Value decoder_wrap::step_batch(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray()) {
        invalid_argument(env, "stepDecoders(entries, { threads }) takes an array of entries");
    }
    const int n_threads = int_field(options_arg(info, 1, "stepDecoders(entries, { threads })"), "threads", 1, 256);
    Napi::Array entries = info[0].As<Napi::Array>();
    std::vector<step_job> jobs(entries.Length());
    const whisper_model * model = nullptr;
    for (uint32_t i = 0; i < entries.Length(); ++i) {
        // an entry that cannot run settles as its own error; the rest of the batch still runs
        try {
            Napi::Value entry = entries.Get(i);
            Napi::Object o = entry.IsObject() ? entry.As<Napi::Object>() : Napi::Object();
            Napi::Value handle = o.IsEmpty() ? env.Undefined() : o.Get("decoder");
            if (!handle.IsObject() || !handle.As<Napi::Object>().InstanceOf(addon_data::of(env).decoder_ctor.Value())) {
                throw make_error(env, errc::invalid_argument, "entry " + std::to_string(i) + " has no NativeDecoder in `decoder`");
            }
            decoder_wrap * d = Unwrap(handle.As<Napi::Object>());
            if (model != nullptr && d->state_->model.get() != model) {
                throw make_error(env, errc::invalid_argument, "decoders stepped together must belong to one model");
            }
            jobs[i] = d->parse_step(o.Get("tokens"), o.Get("nNew"), o.Get("positions"), o.Get("out"));
            model = d->state_->model.get();
        } catch (const Napi::Error & e) {
            Napi::Value code = e.Value().Get("code");
            jobs[i].error_code = code.IsString() ? code.As<Napi::String>().Utf8Value() : errc::invalid_argument;
            jobs[i].error_message = e.Message();
        }
    }
    return queue_step(env, std::move(jobs), n_threads, false);
}

Napi::Value decoder_wrap::run_loop(const Napi::CallbackInfo & info) {
    claim();
    try {
        return queue_decode_loop(info, state_);
    } catch (...) {
        state_->busy.store(false);
        throw;
    }
}

Napi::Value decoder_wrap::align(const Napi::CallbackInfo & info) {
    assert_open();  // a released state has no model
    claim();
    try {
        return queue_align(info, state_);
    } catch (...) {
        state_->busy.store(false);
        throw;
    }
}

Napi::Value decoder_wrap::share_features(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const Napi::Value source = info.Length() > 0 ? info[0] : env.Undefined();
    if (!source.IsObject() || !source.As<Napi::Object>().InstanceOf(addon_data::of(env).decoder_ctor.Value())) {
        invalid_argument(env, "shareFeatures(source) takes a NativeDecoder");
    }
    decoder_wrap * src = Unwrap(source.As<Napi::Object>());
    if (src == this) {
        return env.Undefined();
    }
    if (src->state_->released) {
        throw make_error(env, errc::closed, "the source decoder has been released");
    }
    claim();
    // a source running an operation may be replacing its window: refused rather than read half-way
    bool idle = false;
    if (!src->state_->busy.compare_exchange_strong(idle, true)) {
        state_->busy.store(false);
        throw make_error(env, errc::decoder_busy, "the source decoder is running an operation; await it before sharing its window");
    }
    try {
        decoder_share_features(*state_, *src->state_);
    } catch (const native_error & e) {
        src->state_->busy.store(false);
        state_->busy.store(false);
        throw make_error(env, e.code(), e.what());
    }
    src->state_->busy.store(false);
    state_->busy.store(false);
    return env.Undefined();
}

Napi::Value decoder_wrap::reorder(const Napi::CallbackInfo & info) {
    std::vector<int32_t> source = copy_ints(info[0], "source");
    if (source.size() != static_cast<size_t>(state_->n_seq)) {
        throw make_error(info.Env(), errc::invalid_argument, "source must hold one index per sequence");
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

Napi::Value decoder_wrap::n_past(const Napi::CallbackInfo & info) { return Napi::Number::New(info.Env(), state_->n_past); }

// Frees the caches now instead of when the wrapper is collected; later operations throw ERR_CLOSED.
Napi::Value decoder_wrap::release(const Napi::CallbackInfo & info) {
    claim();
    decoder_release(*state_);
    // stays busy: every later operation is refused
    return info.Env().Undefined();
}

} // namespace amanuensis

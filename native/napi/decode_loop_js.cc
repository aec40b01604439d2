#include "napi/decode_loop_js.h"

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "core/decode_scheduler.h"
#include "core/error.h"
#include "napi/abort_flag.h"
#include "napi/args.h"
#include "napi/js_error.h"

namespace amanuensis {

namespace {

// What the scheduler thread posts to JS: a step's progress, or the end of the loop.
struct loop_message {
    bool done = false;
    int tokens = 0;
    int latest_timestamp = 0;
    bool succeeded = false;
    token_loop_result result;  // the end, when it succeeded
    std::string code;          // the end, when it failed
    std::string message;
};

struct loop_call;
void call_js(Napi::Env env, Napi::Function, loop_call * call, loop_message * message);
using loop_tsfn = Napi::TypedThreadSafeFunction<loop_call, loop_message, call_js>;

// Shared by the JS side and the scheduler thread. `alive` turns false when the thread-safe
// function is finalized (its last message delivered, or the environment torn down): from then
// on the scheduler must not touch `tsfn`.
struct loop_link {
    std::mutex mutex;
    bool alive = true;
    bool released = false;
    loop_tsfn tsfn;
    std::atomic<bool> progress_queued{false};
    std::shared_ptr<std::atomic<bool>> cancel;    // the job's own stop
    std::unique_ptr<loop_message> final_message;  // allocated up front: the end is always told, out of memory or not
};

// Lives on the JS thread, owned by the thread-safe function (deleted by its finalizer).
struct loop_call {
    Napi::Promise::Deferred deferred;
    Napi::FunctionReference on_step;
    std::shared_ptr<loop_link> link;
};

Napi::Object result_object(Napi::Env env, const token_loop_result & r) {
    Napi::Object o = Napi::Object::New(env);
    Napi::Array candidates = Napi::Array::New(env, r.tokens.size());
    for (size_t i = 0; i < r.tokens.size(); i++) {
        Napi::Int32Array a = Napi::Int32Array::New(env, r.tokens[i].size());
        std::copy(r.tokens[i].begin(), r.tokens[i].end(), a.Data());
        candidates.Set(uint32_t(i), a);
    }
    Napi::Float64Array sums = Napi::Float64Array::New(env, r.sum_logprobs.size());
    std::copy(r.sum_logprobs.begin(), r.sum_logprobs.end(), sums.Data());
    o.Set("candidates", candidates);
    o.Set("sumLogprobs", sums);
    o.Set("noSpeechProb", Napi::Number::New(env, r.no_speech_prob));
    o.Set("randomState", Napi::Number::New(env, double(r.random_state)));
    o.Set("steps", Napi::Number::New(env, r.steps));
    return o;
}

void call_js(Napi::Env env, Napi::Function, loop_call * call, loop_message * raw) {
    std::unique_ptr<loop_message> message(raw);
    // a null environment: it is being torn down and the queue is being emptied
    if (env == nullptr || call == nullptr) return;
    try {
        Napi::HandleScope scope(env);
        if (!message->done) {
            call->link->progress_queued.store(false);
            if (!call->on_step.IsEmpty()) {
                call->on_step.Call({Napi::Number::New(env, message->tokens), Napi::Number::New(env, message->latest_timestamp)});
            }
            return;
        }
        if (message->succeeded) call->deferred.Resolve(result_object(env, message->result));
        else call->deferred.Reject(make_error(env, message->code, message->message).Value());
    } catch (...) {
        // a throwing onStep or a dying environment: nothing to do here (the JS side guards onStep)
    }
}

// Posts a message if the thread-safe function is still there; false when it is not.
bool post(loop_link & link, loop_message * message, bool last) {
    std::lock_guard<std::mutex> lock(link.mutex);
    if (!link.alive || link.released) {
        delete message;
        return false;
    }
    if (link.tsfn.NonBlockingCall(message) != napi_ok) delete message;
    if (last) {
        link.released = true;
        link.tsfn.Release();
    }
    return true;
}

token_loop_options parse_options(const Napi::Object & o, const decoder_state & state) {
    const whisper_hparams & hp = state.model->hparams;
    token_loop_options t;
    t.initial = copy_ints(o.Get("initial"), "initial");
    t.sample_begin = int(t.initial.size());
    t.sot_index = int_field(o, "sotIndex", 0, hp.n_text_ctx);
    t.n_seq = state.n_seq;
    t.temperature = number_field(o, "temperature", 0, 0, 1e300);
    t.beam_size = int_field(o, "beamSize", 0, 0, 64);
    t.patience = number_field(o, "patience", 1, 0, 1e300);
    // more than the text context holds is allowed (the context's end stops the loop first), as in JS
    t.sample_len = int_field(o, "sampleLen", 1, 1 << 30);
    t.n_text_ctx = hp.n_text_ctx;
    t.n_vocab = hp.n_vocab;
    t.eot = int_field(o, "eot", 0, hp.n_vocab - 1);
    t.no_speech = int_field(o, "noSpeech", 0, hp.n_vocab - 1);
    t.no_timestamps = int_field(o, "noTimestamps", 0, hp.n_vocab - 1);
    t.timestamp_begin = int_field(o, "timestampBegin", 0, hp.n_vocab - 1);
    t.suppress_blank = bool_field(o, "suppressBlank", true);
    t.blank_tokens = copy_ints(o.Get("blankTokens"), "blankTokens");
    t.suppress_tokens = copy_ints(o.Get("suppressTokens"), "suppressTokens");
    t.timestamps = bool_field(o, "timestamps", true);
    t.max_initial_timestamp_index = int_field(o, "maxInitialTimestampIndex", -1, -1, 1 << 30);
    t.require_initial_timestamp = bool_field(o, "requireInitialTimestamp", true);
    t.random_state = uint32_t(number_field(o, "randomState", 0, 0, 4294967295.0));
    t.path = state.model->path;
    if (int(t.initial.size()) + 1 > hp.n_text_ctx) throw native_error(errc::context_overflow, "the initial tokens fill the text context");
    return t;
}

} // namespace

Napi::Value queue_decode_loop(const Napi::CallbackInfo & info, std::shared_ptr<decoder_state> state) {
    Napi::Env env = info.Env();
    const Napi::Object o = options_arg(info, 0, "runLoop({ initial, sotIndex, ..., threads })");
    auto job = std::make_unique<decode_job>();
    try {
        job->loop = std::make_unique<token_loop>(parse_options(o, *state));
    } catch (const native_error & e) {
        throw make_error(env, e.code(), e.what());
    }
    job->n_threads = int_field(o, "threads", 1, 256);
    job->max_batch_sequences = int_field(o, "maxBatchSequences", 64, 1, 4096);
    const Napi::Value abort = o.Get("abort");
    if (!abort.IsUndefined()) job->abort = abort_flag_wrap::unwrap(abort);
    const Napi::Value on_step = o.Get("onStep");
    if (!on_step.IsUndefined() && !on_step.IsFunction()) invalid_argument(env, "onStep must be a function");

    auto link = std::make_shared<loop_link>();
    link->cancel = job->cancel;
    link->final_message = std::make_unique<loop_message>();
    link->final_message->done = true;
    link->final_message->code.reserve(32);
    link->final_message->message.reserve(256);
    auto * call = new loop_call{Napi::Promise::Deferred::New(env), {}, link};
    if (on_step.IsFunction()) call->on_step = Napi::Persistent(on_step.As<Napi::Function>());
    Napi::Promise promise = call->deferred.Promise();
    link->tsfn = loop_tsfn::New(env, "amanuensis.decodeLoop", 0, 1, call, [](Napi::Env, void *, loop_call * c) {
        {
            std::lock_guard<std::mutex> lock(c->link->mutex);
            c->link->alive = false;
        }
        // the environment may be going away with the loop still running: stop it at its next step
        c->link->cancel->store(true);
        delete c;
    });

    job->state = std::move(state);
    if (on_step.IsFunction()) {
        job->on_step = [link](const token_loop & loop) {
            if (link->progress_queued.exchange(true)) return;  // one progress message in flight at most
            auto * m = new loop_message();
            m->tokens = loop.sampled();
            m->latest_timestamp = loop.latest_timestamp();
            if (!post(*link, m, false)) link->progress_queued.store(false);
        };
    }
    decoder_state * raw_state = job->state.get();
    job->on_done = [link, raw_state](token_loop_result * result, const std::string & code, const std::string & message) {
        loop_message * m = link->final_message.release();
        if (result != nullptr) {
            m->succeeded = true;
            m->result = std::move(*result);
        } else {
            try {
                m->code = code;
                m->message = message;
            } catch (...) {
                // a message longer than the room kept for it, with no memory for more
                m->code.assign(errc::out_of_memory);
                m->message.clear();
            }
        }
        // free for the next operation before JS hears of the end
        raw_state->busy.store(false);
        post(*link, m, true);
    };
    try {
        decode_scheduler_submit(std::move(job));
    } catch (const std::exception & e) {
        // nothing was queued: no message will ever come, so the thread-safe function goes now
        link->tsfn.Release();
        throw make_error(env, errc::native, std::string("the decode scheduler cannot start: ") + e.what());
    }
    return promise;
}

Napi::Value decode_scheduler_stats_js(const Napi::CallbackInfo & info) {
    const decode_scheduler_stats s = decode_scheduler_counters();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("batches", Napi::Number::New(info.Env(), double(s.batches)));
    o.Set("steps", Napi::Number::New(info.Env(), double(s.steps)));
    o.Set("largestBatch", Napi::Number::New(info.Env(), s.largest_batch));
    return o;
}

} // namespace amanuensis

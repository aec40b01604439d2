// NativeDecoder: the JS handle of a decoder_state (self-attention caches of n_seq
// sequences and one window's cross-attention keys and values).
#pragma once

#include <napi.h>

#include <memory>

#include "core/decoder_step.h"
#include "napi/decoder_jobs.h"

namespace amanuensis {

class decoder_wrap : public Napi::ObjectWrap<decoder_wrap> {
public:
    static Napi::Function define(Napi::Env env);
    static Napi::Object create(Napi::Env env, std::shared_ptr<decoder_state> state);

    explicit decoder_wrap(const Napi::CallbackInfo & info);

    // The state of a NativeDecoder, claimed (busy) for one operation the caller runs and then
    // releases; throws ERR_INVALID_ARGUMENT for anything else, ERR_DECODER_BUSY, ERR_CLOSED.
    static std::shared_ptr<decoder_state> claim_state(const Napi::Value & v);

    // stepDecoders(entries: {decoder, tokens, nNew, positions, out?}[], { threads }): one step of
    // several decoders of one model as one batch (decoder_step_batch). Resolves to one result per
    // entry: its logits, or the Error that refused it (the other entries still run).
    static Napi::Value step_batch(const Napi::CallbackInfo & info);

private:
    // setFeatures(features [nAudioCtx, nAudioState], { threads, keepF32Heads? }) -> Promise<void>
    // (keepF32: the keys and values also kept in f32, for align() without features)
    Napi::Value set_features(const Napi::CallbackInfo & info);
    // step(tokens [nSeq, nNew], { nNew, positions, threads, out? }) -> Promise<logits [nSeq, positions, nVocab]>
    Napi::Value step(const Napi::CallbackInfo & info);
    // runLoop(options) -> Promise: the window's whole token loop natively (see decode_loop_js.h)
    Napi::Value run_loop(const Napi::CallbackInfo & info);
    // align(tokens, { features, heads, nPositions, textVocabEnd, threads }) -> Promise<{ weights, probabilities }>:
    // the teacher-forced pass of word alignment (see decoder_align_js.h)
    Napi::Value align(const Napi::CallbackInfo & info);
    // shareFeatures(source: NativeDecoder): takes the source's window (shared, not copied)
    Napi::Value share_features(const Napi::CallbackInfo & info);
    // reorder(source [nSeq]): sequence i takes the cache of sequence source[i]
    Napi::Value reorder(const Napi::CallbackInfo & info);
    Napi::Value n_past(const Napi::CallbackInfo & info);
    Napi::Value release(const Napi::CallbackInfo & info);

    // Validates one step's arguments and claims the state: a job ready for queue_step.
    step_job parse_step(const Napi::Value & tokens, const Napi::Value & n_new, const Napi::Value & positions,
                        const Napi::Value & out);

    // Marks the state busy for one operation; throws ERR_DECODER_BUSY if it already is.
    void claim();
    // Throws ERR_CLOSED once the state has been released.
    void assert_open() const;

    std::shared_ptr<decoder_state> state_;
};

} // namespace amanuensis

#include "encode_worker.h"

#include "cpu_encoder.h"
#include "encoder_results_js.h"
#include "napi_worker.h"

namespace amanuensis {

namespace {

class encode_worker : public promise_worker {
public:
    encode_worker(Napi::Env env, std::shared_ptr<whisper_model> model, float_copy mel, int n_mels, int n_frames,
                  int n_threads, bool profile, bool layers, Napi::ObjectReference out)
        : promise_worker(env), model_(std::move(model)), mel_(std::move(mel)), n_mels_(n_mels), n_frames_(n_frames),
          n_threads_(n_threads), profile_(profile), layers_(layers), out_(std::move(out)) {}

protected:
    void run() override {
        const whisper_hparams & hp = model_->hparams;
        features_.reserve(static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state);
        encode_options options;
        options.n_threads = n_threads_;
        options.timings = profile_ ? &timings_ : nullptr;
        options.layer_outputs = layers_ ? &layer_outputs_ : nullptr;
        whisper_encode(*model_, mel_.data(), n_mels_, n_frames_, features_.data(), options);
    }

    Napi::Value result(Napi::Env env) override {
        const whisper_hparams & hp = model_->hparams;
        Napi::Object out = Napi::Object::New(env);
        // into the caller's array when given (e.g. a pooled buffer)
        out.Set("features", deliver(env, out_, features_.data(), static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state));
        if (profile_) {
            out.Set("timings", encoder_timings_to_js(env, timings_));
        }
        if (layers_) {
            out.Set("layers", layer_outputs_to_js(env, layer_outputs_));
        }
        return out;
    }

private:
    std::shared_ptr<whisper_model> model_;
    float_copy mel_;
    int n_mels_;
    int n_frames_;
    int n_threads_;
    bool profile_;
    bool layers_;
    std::vector<std::vector<float>> layer_outputs_;
    aligned_buffer<float> features_;
    encoder_timings timings_;
    Napi::ObjectReference out_;
};

} // namespace

Napi::Value queue_encode(const Napi::CallbackInfo & info, std::shared_ptr<whisper_model> model) {
    Napi::Env env = info.Env();
    if (info.Length() < 5) {
        throw make_error(env, "ERR_INVALID_ARGUMENT", "encode(mel, nMels, nFrames, threads, profile, out?, layers?)");
    }
    encode_input in = read_encode_input(info);
    const whisper_hparams & hp = model->hparams;
    Napi::ObjectReference out = output_array(info.Length() > 5 ? info[5] : env.Undefined(),
                                             static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state, "out");
    auto * worker = new encode_worker(env, std::move(model), std::move(in.mel), in.n_mels, in.n_frames, in.n_threads,
                                      info[4].ToBoolean().Value(), info.Length() > 6 && info[6].ToBoolean().Value(), std::move(out));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

} // namespace amanuensis

// logMel(model, samples, padding, filters, nMels, threads) -> Promise<Float32Array [nMels, nFrames]>,
// on the model's thread pool and kernels.
#include <napi.h>

#include <cmath>

#include "log_mel.h"
#include "model_wrap.h"
#include "napi_worker.h"

namespace amanuensis {

namespace {

class log_mel_worker : public promise_worker {
public:
    log_mel_worker(Napi::Env env, std::shared_ptr<whisper_model> model, float_copy samples, int64_t padding,
                   float_copy filters, int n_mels, int n_threads)
        : promise_worker(env), model_(std::move(model)), samples_(std::move(samples)), padding_(padding),
          filters_(std::move(filters)), n_mels_(n_mels), n_threads_(n_threads) {}

protected:
    void run() override {
        const int64_t n_frames = (static_cast<int64_t>(samples_.size()) + padding_) / MEL_HOP;
        out_.reserve(static_cast<size_t>(std::max<int64_t>(n_frames, 1)) * n_mels_);
        log_mel_spectrogram(*model_->pool, n_threads_, model_->path, samples_.data(), static_cast<int64_t>(samples_.size()),
                            padding_, filters_.data(), n_mels_, out_.data());
    }
    Napi::Value result(Napi::Env env) override {
        const int64_t n_frames = (static_cast<int64_t>(samples_.size()) + padding_) / MEL_HOP;
        return to_js(env, out_.data(), static_cast<size_t>(n_frames) * n_mels_);
    }

private:
    std::shared_ptr<whisper_model> model_;
    float_copy samples_;
    int64_t padding_;
    float_copy filters_;
    int n_mels_;
    int n_threads_;
    aligned_buffer<float> out_;
};

} // namespace

Napi::Value log_mel(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 6) {
        throw make_error(env, "ERR_INVALID_ARGUMENT", "logMel(model, samples, padding, filters, nMels, threads)");
    }
    std::shared_ptr<whisper_model> model = model_wrap::unwrap(info[0]);
    float_copy samples = copy_floats(info[1], "samples");
    const int64_t padding = int_arg(info[2], "padding", 0, 1 << 30);
    float_copy filters = copy_floats(info[3], "filters");
    const int n_mels = int_arg(info[4], "nMels", 1, 1024);
    const int n_threads = int_arg(info[5], "threads", 1, 256);
    if (filters.size() != static_cast<size_t>(n_mels) * MEL_N_FREQ) {
        throw make_error(env, "ERR_INVALID_ARGUMENT", "filters must be [nMels, 201]");
    }
    for (float v : samples) {
        if (!std::isfinite(v)) {
            throw make_error(env, "ERR_INVALID_AUDIO", "audio samples must be finite");
        }
    }
    auto * worker = new log_mel_worker(env, std::move(model), std::move(samples), padding, std::move(filters), n_mels, n_threads);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

} // namespace amanuensis

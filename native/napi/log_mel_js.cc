// logMel(model, samples, { padding, filters, nMels, threads }) -> Promise<Float32Array [nMels, nFrames]>,
// on the model's thread pool and kernels. The samples are not checked for NaN here: the
// public entry points validate audio once (an unchecked NaN gives NaN values, nothing worse).
#include "core/log_mel.h"
#include "napi/args.h"
#include "napi/model_wrap.h"
#include "napi/worker.h"

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
        out_.reserve(static_cast<size_t>(std::max<int64_t>(n_frames(), 1)) * n_mels_);
        log_mel_spectrogram(*model_->pool, n_threads_, model_->path, samples_.data(), static_cast<int64_t>(samples_.size()),
                            padding_, filters_.data(), n_mels_, out_.data());
    }
    Napi::Value result(Napi::Env env) override { return to_js(env, out_.data(), static_cast<size_t>(n_frames()) * n_mels_); }

private:
    int64_t n_frames() const { return (static_cast<int64_t>(samples_.size()) + padding_) / MEL_HOP; }

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
    std::shared_ptr<whisper_model> model = model_wrap::unwrap(info[0]);
    float_copy samples = copy_floats(info[1], "samples");
    const Napi::Object o = options_arg(info, 2, "logMel(model, samples, { padding, filters, nMels, threads })");
    const int64_t padding = int_field(o, "padding", 0, 1 << 30);
    float_copy filters = copy_floats(o.Get("filters"), "filters");
    const int n_mels = int_field(o, "nMels", 1, 1024);
    const int n_threads = int_field(o, "threads", 1, 256);
    if (filters.size() != static_cast<size_t>(n_mels) * MEL_N_FREQ) {
        invalid_argument(env, "filters must be [nMels, " + std::to_string(MEL_N_FREQ) + "]");
    }
    return queue_worker<log_mel_worker>(env, std::move(model), std::move(samples), padding, std::move(filters), n_mels, n_threads);
}

} // namespace amanuensis

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

// A range of frames, from a slice of the samples (see log_mel_range).
class log_mel_range_worker : public promise_worker {
public:
    log_mel_range_worker(Napi::Env env, std::shared_ptr<whisper_model> model, float_copy slice, log_mel_request req,
                         float_copy filters, int n_mels, int n_threads, bool max_only)
        : promise_worker(env), model_(std::move(model)), slice_(std::move(slice)), req_(req), filters_(std::move(filters)),
          n_mels_(n_mels), n_threads_(n_threads), max_only_(max_only) {
        req_.slice = slice_.data();
    }

protected:
    void run() override {
        float * out = max_only_ ? nullptr : out_.reserve(static_cast<size_t>(std::max<int64_t>(req_.n_frames, 1)) * n_mels_);
        log_max_ = log_mel_range(*model_->pool, n_threads_, model_->path, req_, filters_.data(), n_mels_, out);
    }
    Napi::Value result(Napi::Env env) override {
        Napi::Object o = Napi::Object::New(env);
        o.Set("logMax", log_max_);
        if (!max_only_) {
            o.Set("data", to_js(env, out_.data(), static_cast<size_t>(req_.n_frames) * n_mels_));
        }
        return o;
    }

private:
    std::shared_ptr<whisper_model> model_;
    float_copy slice_;
    log_mel_request req_;
    float_copy filters_;
    int n_mels_;
    int n_threads_;
    bool max_only_;
    float log_max_ = 0;
    aligned_buffer<float> out_;
};

/** A non-negative integer option below 2^53 (sample and frame counts of long audio). */
int64_t count_field(const Napi::Object & o, const char * key) {
    const double d = number_field(o, key, -1, 0, 9007199254740991.0);
    if (d != static_cast<double>(static_cast<int64_t>(d))) {
        invalid_argument(o.Env(), std::string(key) + " must be a non-negative integer");
    }
    return static_cast<int64_t>(d);
}

} // namespace

Napi::Value log_mel_range_js(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    std::shared_ptr<whisper_model> model = model_wrap::unwrap(info[0]);
    const Napi::Object o = options_arg(info, 2,
        "logMelRange(model, slice, { offset, totalSamples, padding, firstFrame, frames, filters, nMels, threads, logMax?, maxOnly? })");
    log_mel_request req;
    req.slice_offset = count_field(o, "offset");
    req.n_samples = count_field(o, "totalSamples");
    req.padding = count_field(o, "padding");
    req.first_frame = count_field(o, "firstFrame");
    req.n_frames = count_field(o, "frames");
    req.log_max = static_cast<float>(number_field(o, "logMax", NAN, -1e30, 1e30));
    float_copy filters = copy_floats(o.Get("filters"), "filters");
    const int n_mels = int_field(o, "nMels", 1, 1024);
    const int n_threads = int_field(o, "threads", 1, 256);
    const bool max_only = bool_field(o, "maxOnly", false);
    if (filters.size() != static_cast<size_t>(n_mels) * MEL_N_FREQ) {
        invalid_argument(env, "filters must be [nMels, " + std::to_string(MEL_N_FREQ) + "]");
    }
    float_copy slice = copy_floats(info[1], "slice");  // copied last: reading the options runs JS
    req.slice_len = static_cast<int64_t>(slice.size());
    return queue_worker<log_mel_range_worker>(env, std::move(model), std::move(slice), req, std::move(filters), n_mels, n_threads, max_only);
}

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

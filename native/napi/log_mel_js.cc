// logMel and logMelRange: the log-mel spectrogram on the model's thread pool and kernels, of a
// whole signal or of a range of its frames. The samples are not checked for NaN here: the public
// entry points validate audio once (an unchecked NaN gives NaN values, nothing worse).
#include "core/log_mel.h"
#include "napi/args.h"
#include "napi/model_wrap.h"
#include "napi/worker.h"

namespace amanuensis {

namespace {

// What a log-mel call resolves to: the frames alone (logMel), the frames and the range's
// maximum, or the maximum alone (logMelRange).
enum class log_mel_result { frames, frames_and_max, max_only };

class log_mel_worker : public promise_worker {
public:
    log_mel_worker(Napi::Env env, std::shared_ptr<whisper_model> model, float_copy slice, log_mel_request req,
                   float_copy filters, int n_mels, int n_threads, log_mel_result kind)
        : promise_worker(env), model_(std::move(model)), slice_(std::move(slice)), req_(req), filters_(std::move(filters)),
          n_mels_(n_mels), n_threads_(n_threads), kind_(kind) {
        req_.slice = slice_.data();
        req_.slice_len = static_cast<int64_t>(slice_.size());
    }

protected:
    void run() override {
        float * out = kind_ == log_mel_result::max_only
                          ? nullptr
                          : out_.reserve(static_cast<size_t>(std::max<int64_t>(req_.n_frames, 1)) * n_mels_);
        log_max_ = log_mel_range(*model_->pool, n_threads_, model_->path, req_, filters_.data(), n_mels_, out);
    }
    Napi::Value result(Napi::Env env) override {
        if (kind_ == log_mel_result::frames) {
            return frames(env);
        }
        Napi::Object o = Napi::Object::New(env);
        o.Set("logMax", log_max_);
        if (kind_ == log_mel_result::frames_and_max) {
            o.Set("data", frames(env));
        }
        return o;
    }

private:
    Napi::Float32Array frames(Napi::Env env) const { return to_js(env, out_.data(), static_cast<size_t>(req_.n_frames) * n_mels_); }

    std::shared_ptr<whisper_model> model_;
    float_copy slice_;
    log_mel_request req_;
    float_copy filters_;
    int n_mels_;
    int n_threads_;
    log_mel_result kind_;
    float log_max_ = 0;
    aligned_buffer<float> out_;
};

// The filterbank [nMels, 201] of a call's options; checked against nMels.
float_copy read_filters(const Napi::Object & o, int n_mels) {
    float_copy filters = copy_floats(o.Get("filters"), "filters");
    if (filters.size() != static_cast<size_t>(n_mels) * MEL_N_FREQ) {
        invalid_argument(o.Env(), "filters must be [nMels, " + std::to_string(MEL_N_FREQ) + "]");
    }
    return filters;
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
    const int n_mels = int_field(o, "nMels", 1, 1024);
    float_copy filters = read_filters(o, n_mels);
    const int n_threads = int_field(o, "threads", 1, 256);
    const log_mel_result kind = bool_field(o, "maxOnly", false) ? log_mel_result::max_only : log_mel_result::frames_and_max;
    float_copy slice = copy_floats(info[1], "slice");  // copied last: reading the options runs JS
    return queue_worker<log_mel_worker>(env, std::move(model), std::move(slice), req, std::move(filters), n_mels, n_threads, kind);
}

Napi::Value log_mel(const Napi::CallbackInfo & info) {
    std::shared_ptr<whisper_model> model = model_wrap::unwrap(info[0]);
    float_copy samples = copy_floats(info[1], "samples");
    const Napi::Object o = options_arg(info, 2, "logMel(model, samples, { padding, filters, nMels, threads })");
    // the whole signal: every frame, floored at its own maximum
    log_mel_request req;
    req.n_samples = static_cast<int64_t>(samples.size());
    req.padding = int_field(o, "padding", 0, 1 << 30);
    req.n_frames = (req.n_samples + req.padding) / MEL_HOP;
    const int n_mels = int_field(o, "nMels", 1, 1024);
    float_copy filters = read_filters(o, n_mels);
    const int n_threads = int_field(o, "threads", 1, 256);
    return queue_worker<log_mel_worker>(info.Env(), std::move(model), std::move(samples), req, std::move(filters), n_mels, n_threads,
                                        log_mel_result::frames);
}

} // namespace amanuensis

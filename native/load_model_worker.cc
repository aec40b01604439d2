// loadModel: validates the tensor table against the file and hparams and copies the
// weights into native memory, off the main thread.
#include "model_wrap.h"
#include "kernels/cpu_features.h"
#include "napi_worker.h"

namespace amanuensis {

namespace {

const char * const HPARAM_NAMES[] = {"nVocab",    "nAudioCtx",   "nAudioState", "nAudioHead", "nAudioLayer", "nTextCtx",
                                     "nTextState", "nTextHead", "nTextLayer",  "nMels",      "ftype"};

whisper_hparams read_hparams(const Napi::Object & o) {
    whisper_hparams hp;
    int32_t * fields[] = {&hp.n_vocab,      &hp.n_audio_ctx,  &hp.n_audio_state, &hp.n_audio_head,
                          &hp.n_audio_layer, &hp.n_text_ctx,  &hp.n_text_state,  &hp.n_text_head,
                          &hp.n_text_layer,  &hp.n_mels,      &hp.ftype};
    for (size_t i = 0; i < 11; ++i) {
        *fields[i] = int_arg(o.Get(HPARAM_NAMES[i]), HPARAM_NAMES[i], -2147483647, 2147483647);
    }
    return hp;
}

double number_field(const Napi::Object & o, const char * key) {
    const Napi::Value v = o.Get(key);
    if (!v.IsNumber()) {
        throw make_error(o.Env(), "ERR_INVALID_ARGUMENT", std::string("tensor field '") + key + "' must be a number");
    }
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<uint64_t>(d))) {
        throw make_error(o.Env(), "ERR_INVALID_ARGUMENT", std::string("tensor field '") + key + "' must be a non-negative integer");
    }
    return d;
}

tensor_record read_tensor(const Napi::Value & v) {
    if (!v.IsObject()) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", "each tensor record must be an object");
    }
    const Napi::Object o = v.As<Napi::Object>();
    tensor_record t;
    const Napi::Value name = o.Get("name");
    const Napi::Value ne = o.Get("ne");
    if (!name.IsString() || !ne.IsArray()) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", "a tensor record needs a name and an ne array");
    }
    t.name = name.As<Napi::String>().Utf8Value();
    t.type = static_cast<int32_t>(number_field(o, "type"));
    t.offset = static_cast<uint64_t>(number_field(o, "offset"));
    t.nbytes = static_cast<uint64_t>(number_field(o, "nbytes"));
    const Napi::Array dims = ne.As<Napi::Array>();
    if (dims.Length() < 1 || dims.Length() > 4) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", "tensor '" + t.name + "' must have 1 to 4 dimensions");
    }
    for (uint32_t i = 0; i < dims.Length(); ++i) {
        t.ne.push_back(int_arg(dims.Get(i), "ne", 1, 2147483647));
    }
    return t;
}

class load_model_worker : public promise_worker {
public:
    load_model_worker(Napi::Env env, Napi::Value file, model_source source, int n_threads, kernel_path path)
        : promise_worker(env), source_(std::move(source)), n_threads_(n_threads), path_(path) {
        if (file.IsBuffer()) {
            file_ref_ = Napi::Persistent(file.As<Napi::Object>());
        }
    }

protected:
    void run() override { model_ = whisper_model_create(source_, n_threads_, path_); }
    Napi::Value result(Napi::Env env) override { return model_wrap::wrap(env, model_); }
    void finished() override { file_ref_.Reset(); }

private:
    Napi::ObjectReference file_ref_;   // keeps in-memory file bytes alive while the worker reads them
    model_source source_;
    int n_threads_;
    kernel_path path_;
    std::shared_ptr<whisper_model> model_;
};

} // namespace

Napi::Value load_model(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !(info[0].IsBuffer() || info[0].IsString()) || !info[1].IsObject() || !info[2].IsArray() ||
        !info[3].IsObject()) {
        throw make_error(env, "ERR_INVALID_ARGUMENT", "loadModel(file: Buffer | path, hparams, tensors[], options)");
    }
    model_source source;
    source.hparams = read_hparams(info[1].As<Napi::Object>());
    if (info[0].IsBuffer()) {
        Napi::Buffer<uint8_t> file = info[0].As<Napi::Buffer<uint8_t>>();
        source.file = file.Data();
        source.file_size = file.Length();
    } else {
        source.path = info[0].As<Napi::String>().Utf8Value();
    }
    const Napi::Array tensors = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < tensors.Length(); ++i) {
        source.tensors.push_back(read_tensor(tensors.Get(i)));
    }
    const Napi::Object options = info[3].As<Napi::Object>();
    const int n_threads = int_arg(options.Get("threads"), "threads", 1, 256);
    const Napi::Value simd = options.Get("simd");
    const bool want_simd = simd.IsBoolean() ? simd.As<Napi::Boolean>().Value() : true;
    const Napi::Value avx512 = options.Get("avx512");
    const bool want_avx512 = avx512.IsBoolean() ? avx512.As<Napi::Boolean>().Value() : true;
    const kernel_path path = !want_simd || !simd_kernels_supported() ? kernel_path::portable
                             : want_avx512 && avx512_kernels_supported() ? kernel_path::simd512
                                                                         : kernel_path::simd;

    auto * worker = new load_model_worker(env, info[0], std::move(source), n_threads, path);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

} // namespace amanuensis

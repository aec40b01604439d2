// loadModel: validates the tensor table against the file and hparams and copies the
// weights into native memory, off the main thread.
#include "kernels/cpu_features.h"
#include "napi/args.h"
#include "napi/model_wrap.h"
#include "napi/worker.h"

namespace amanuensis {

namespace {

// The 11 hyperparameters as an Int32Array in file order: the order of whisper_hparams' fields,
// so no field name is spelled here (the TypeScript reader owns the names).
whisper_hparams read_hparams(const Napi::Value & v) {
    const std::vector<int32_t> values = copy_ints(v, "hparams");
    whisper_hparams hp;
    int32_t * fields[] = {&hp.n_vocab,      &hp.n_audio_ctx, &hp.n_audio_state, &hp.n_audio_head,
                          &hp.n_audio_layer, &hp.n_text_ctx, &hp.n_text_state,  &hp.n_text_head,
                          &hp.n_text_layer,  &hp.n_mels,     &hp.ftype};
    constexpr size_t n_fields = sizeof(fields) / sizeof(fields[0]);
    if (values.size() != n_fields) {
        invalid_argument(v.Env(), "hparams must hold the " + std::to_string(n_fields) + " header values in file order");
    }
    for (size_t i = 0; i < n_fields; ++i) {
        *fields[i] = values[i];
    }
    return hp;
}

tensor_record read_tensor(const Napi::Value & v) {
    if (!v.IsObject()) {
        invalid_argument(v.Env(), "each tensor record must be an object");
    }
    const Napi::Object o = v.As<Napi::Object>();
    tensor_record t;
    const Napi::Value name = o.Get("name");
    const Napi::Value ne = o.Get("ne");
    if (!name.IsString() || !ne.IsArray()) {
        invalid_argument(v.Env(), "a tensor record needs a name and an ne array");
    }
    t.name = name.As<Napi::String>().Utf8Value();
    t.type = int_field(o, "type", 0, 1 << 20);
    t.offset = static_cast<uint64_t>(count_field(o, "offset"));
    t.nbytes = static_cast<uint64_t>(count_field(o, "nbytes"));
    const Napi::Array dims = ne.As<Napi::Array>();
    if (dims.Length() < 1 || dims.Length() > 4) {
        invalid_argument(v.Env(), "tensor '" + t.name + "' must have 1 to 4 dimensions");
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
            // a copy: the caller could detach or shrink its buffer while the worker reads it
            Napi::Buffer<uint8_t> b = file.As<Napi::Buffer<uint8_t>>();
            std::copy(b.Data(), b.Data() + b.Length(), bytes_.reserve(b.Length() > 0 ? b.Length() : 1));
            source_.file = bytes_.data();
            source_.file_size = b.Length();
        }
    }

protected:
    void run() override { model_ = whisper_model_create(source_, n_threads_, path_); }
    Napi::Value result(Napi::Env env) override { return model_wrap::wrap(env, model_); }

private:
    aligned_buffer<uint8_t> bytes_;    // the in-memory file, when given one
    model_source source_;
    int n_threads_;
    kernel_path path_;
    std::shared_ptr<whisper_model> model_;
};

} // namespace

Napi::Value load_model(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const char * usage = "loadModel(file: Buffer | path, { hparams, tensors, threads, simd?, avx512? })";
    if (info.Length() < 1 || !(info[0].IsBuffer() || info[0].IsString())) {
        invalid_argument(env, std::string(usage) + ": file must be a Buffer or a path");
    }
    const Napi::Object o = options_arg(info, 1, usage);
    model_source source;
    source.hparams = read_hparams(o.Get("hparams"));
    if (info[0].IsString()) {
        source.path = info[0].As<Napi::String>().Utf8Value();
    }  // a Buffer is copied by the worker, after every option (and any getter) has been read
    const Napi::Value tensors_v = o.Get("tensors");
    if (!tensors_v.IsArray()) {
        invalid_argument(env, "tensors must be an array of tensor records");
    }
    const Napi::Array tensors = tensors_v.As<Napi::Array>();
    for (uint32_t i = 0; i < tensors.Length(); ++i) {
        source.tensors.push_back(read_tensor(tensors.Get(i)));
    }
    const int n_threads = int_field(o, "threads", 1, 256);
    const bool want_simd = bool_field(o, "simd", true);
    const bool want_avx512 = bool_field(o, "avx512", true);
    const bool want_int8 = bool_field(o, "int8Activations", true);
    const kernel_path path = !want_simd || !simd_kernels_supported() ? kernel_path::portable
                             : !want_avx512 || !avx512_kernels_supported() ? kernel_path::simd
                             : want_int8 && int8_kernels_supported() ? kernel_path::simd512_int8
                                                                     : kernel_path::simd512;
    return queue_worker<load_model_worker>(env, info[0], std::move(source), n_threads, path);
}

} // namespace amanuensis

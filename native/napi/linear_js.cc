#include "napi/linear_js.h"

#include <cstring>
#include <string>
#include <vector>

#include "core/parallel_ops.h"
#include "core/thread_pool.h"
#include "kernels/cpu_features.h"
#include "kernels/quant.h"
#include "napi/args.h"
#include "napi/linear_args.h"
#include "napi/worker.h"

namespace amanuensis {

namespace {

class linear_worker : public promise_worker {
public:
    linear_worker(Napi::Env env, float_copy a, aligned_buffer<uint8_t> w, dtype type, int m, int n, int k, linear_epilogue_args ep,
                  int threads, kernel_path path)
        : promise_worker(env), a_(std::move(a)), w_(std::move(w)), type_(type), m_(m), n_(n), k_(k), ep_(std::move(ep)),
          threads_(threads), path_(path) {}

protected:
    void run() override {
        thread_pool pool(threads_);
        out_ = ep_.initial_output(static_cast<size_t>(m_) * n_);
        parallel_linear(pool, threads_, m_, a_.data(), k_, matrix_view{w_.data(), type_, n_, k_}, out_.data(), n_, ep_.epilogue(), path_);
    }
    Napi::Value result(Napi::Env env) override { return to_js(env, out_.data(), out_.size()); }

private:
    float_copy a_;
    aligned_buffer<uint8_t> w_;
    dtype type_;
    int m_, n_, k_;
    linear_epilogue_args ep_;
    int threads_;
    kernel_path path_;
    std::vector<float> out_;
};

} // namespace

Napi::Value linear_product(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const Napi::Object o = options_arg(info, 2, "linearProduct(A, W, { m, n, k, ggmlType?, bias?, gelu?, c?, threads?, simd?, avx512? })");
    const int m = int_field(o, "m", 1, 1 << 16);
    const int n = int_field(o, "n", 1, 1 << 17);
    const int k = int_field(o, "k", 1, 1 << 16);
    dtype type = dtype::f32;
    // the loader's own mapping, so that the test reaches every type a model file can hold
    if (!dtype_from_ggml(int_field(o, "ggmlType", 0, 0, 255), type)) {
        invalid_argument(env, "ggmlType must be a type a model's weights can have (F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0)");
    }
    float_copy a = copy_floats(info[0], "A");
    if (a.size() != static_cast<size_t>(m) * k) {
        invalid_argument(env, "A must be [m, k]");
    }
    // W: its bytes, in an aligned buffer as the model's weights are
    const size_t w_bytes = static_cast<size_t>(n) * static_cast<size_t>(row_bytes(type, k));
    const Napi::Value wv = info[1];
    const bool f32 = type == dtype::f32;
    if (f32 ? !is_float32_array(wv) : !(wv.IsTypedArray() && wv.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array)) {
        invalid_argument(env, f32 ? "W must be a Float32Array" : "W must be a Uint8Array of the type's bytes");
    }
    const Napi::TypedArray wa = wv.As<Napi::TypedArray>();
    if (is_quantized(type) && k % 32 != 0) {
        invalid_argument(env, "a quantized W needs k to be a multiple of 32");
    }
    if (wa.ByteLength() != w_bytes) {
        invalid_argument(env, "W must hold [n, k] values of its type (" + std::to_string(w_bytes) + " bytes)");
    }
    aligned_buffer<uint8_t> w(w_bytes);
    std::memcpy(w.data(), static_cast<const uint8_t *>(wa.ArrayBuffer().Data()) + wa.ByteOffset(), w_bytes);
    linear_epilogue_args ep = linear_epilogue_options(env, o, m, n);
    const bool simd = bool_field(o, "simd", true) && simd_kernels_supported();
    const bool avx512 = simd && bool_field(o, "avx512", true) && avx512_kernels_supported();
    const kernel_path path = avx512 ? kernel_path::simd512 : simd ? kernel_path::simd : kernel_path::portable;
    return queue_worker<linear_worker>(env, std::move(a), std::move(w), type, m, n, k, std::move(ep), int_field(o, "threads", 2, 1, 64),
                                       path);
}

} // namespace amanuensis

#include "napi/linear_js.h"

#include <algorithm>
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

bool dtype_named(const std::string & name, dtype & out) {
    static const std::pair<const char *, dtype> names[] = {{"f32", dtype::f32},   {"f16", dtype::f16},   {"q4_0", dtype::q4_0},
                                                           {"q4_1", dtype::q4_1}, {"q5_0", dtype::q5_0}, {"q5_1", dtype::q5_1},
                                                           {"q8_0", dtype::q8_0}};
    for (const auto & [n, t] : names) {
        if (name == n) {
            out = t;
            return true;
        }
    }
    return false;
}

class linear_worker : public promise_worker {
public:
    linear_worker(Napi::Env env, float_copy a, aligned_buffer<uint8_t> w, dtype type, int m, int n, int k, float_copy bias,
                  bool gelu, float_copy c, bool accumulate, int threads, kernel_path path)
        : promise_worker(env), a_(std::move(a)), w_(std::move(w)), type_(type), m_(m), n_(n), k_(k), bias_(std::move(bias)),
          gelu_(gelu), c_(std::move(c)), accumulate_(accumulate), threads_(threads), path_(path) {}

protected:
    void run() override {
        thread_pool pool(threads_);
        out_.assign(static_cast<size_t>(m_) * n_, 0.0f);
        if (accumulate_) {
            std::copy(c_.begin(), c_.end(), out_.begin());
        }
        const gemm_epilogue ep{bias_.size() > 0 ? bias_.data() : nullptr, gelu_, accumulate_};
        parallel_linear(pool, threads_, m_, a_.data(), k_, matrix_view{w_.data(), type_, n_, k_}, out_.data(), n_, ep, path_);
    }
    Napi::Value result(Napi::Env env) override { return to_js(env, out_.data(), out_.size()); }

private:
    float_copy a_;
    aligned_buffer<uint8_t> w_;
    dtype type_;
    int m_, n_, k_;
    float_copy bias_;
    bool gelu_;
    float_copy c_;
    bool accumulate_;
    int threads_;
    kernel_path path_;
    std::vector<float> out_;
};

} // namespace

Napi::Value linear_product(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const Napi::Object o = options_arg(info, 2, "linearProduct(A, W, { m, n, k, type?, bias?, gelu?, c?, threads?, simd?, avx512? })");
    const int m = int_field(o, "m", 1, 1 << 16);
    const int n = int_field(o, "n", 1, 1 << 17);
    const int k = int_field(o, "k", 1, 1 << 16);
    dtype type = dtype::f32;
    if (!dtype_named(string_field(o, "type", "f32"), type)) {
        invalid_argument(env, "type must be one of f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0");
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
    return queue_worker<linear_worker>(env, std::move(a), std::move(w), type, m, n, k, std::move(ep.bias), bool_field(o, "gelu", false),
                                       std::move(ep.c), ep.accumulate, int_field(o, "threads", 2, 1, 64), path);
}

} // namespace amanuensis

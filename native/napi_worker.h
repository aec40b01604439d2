// A promise-returning Napi::AsyncWorker: run() executes on a libuv worker thread; a
// native_error becomes a rejected promise whose Error carries the code.
#pragma once

#include <napi.h>

#include <algorithm>
#include <new>
#include <string>

#include "kernels/aligned_buffer.h"
#include "whisper_model.h"

namespace amanuensis {

inline Napi::Error make_error(Napi::Env env, const std::string & code, const std::string & message) {
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("code", Napi::String::New(env, code));
    return e;
}

class promise_worker : public Napi::AsyncWorker {
public:
    explicit promise_worker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}

    Napi::Promise promise() { return deferred_.Promise(); }

protected:
    virtual void run() = 0;
    virtual Napi::Value result(Napi::Env env) = 0;

    void Execute() override {
        try {
            run();
        } catch (const native_error & e) {
            code_ = e.code();
            SetError(e.what());
        } catch (const std::bad_alloc &) {
            code_ = "ERR_OUT_OF_MEMORY";
            SetError("out of memory in the native module");
        } catch (const std::exception & e) {
            code_ = "ERR_NATIVE";
            SetError(e.what());
        }
    }

    void OnOK() override {
        Napi::HandleScope scope(Env());
        try {
            deferred_.Resolve(result(Env()));
        } catch (const Napi::Error & e) {
            deferred_.Reject(e.Value());
        }
        finished();
    }

    void OnError(const Napi::Error & e) override {
        Napi::HandleScope scope(Env());
        deferred_.Reject(make_error(Env(), code_, e.Message()).Value());
        finished();
    }

    // Runs on the main thread after the promise settles (release references here).
    virtual void finished() {}

private:
    Napi::Promise::Deferred deferred_;
    std::string code_ = "ERR_NATIVE";
};

// A native copy of a JS Float32Array, in an aligned_buffer so that megabyte-sized inputs
// (audio, features) are mapped and unmapped rather than left behind on the malloc heap.
class float_copy {
public:
    float_copy() = default;
    float_copy(const float * src, size_t n) : size_(n) { std::copy(src, src + n, buffer_.reserve(n > 0 ? n : 1)); }
    size_t size() const { return size_; }
    const float * data() const { return buffer_.data(); }
    const float * begin() const { return buffer_.data(); }
    const float * end() const { return buffer_.data() + size_; }

private:
    aligned_buffer<float> buffer_;
    size_t size_ = 0;
};

// Copies a JS Float32Array into native memory (the worker must not read JS memory that
// the caller may change while it runs).
inline float_copy copy_floats(const Napi::Value & v, const char * what) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", std::string(what) + " must be a Float32Array");
    }
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    return float_copy(a.Data(), a.ElementLength());
}

inline std::vector<int32_t> copy_ints(const Napi::Value & v, const char * what) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", std::string(what) + " must be an Int32Array");
    }
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    return std::vector<int32_t>(a.Data(), a.Data() + a.ElementLength());
}

inline int32_t int_arg(const Napi::Value & v, const char * what, int32_t lo, int32_t hi) {
    if (!v.IsNumber()) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", std::string(what) + " must be a number");
    }
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= lo && d <= hi) || d != static_cast<double>(static_cast<int64_t>(d))) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT",
                         std::string(what) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return static_cast<int32_t>(d);
}

inline Napi::Float32Array to_js(Napi::Env env, const float * data, size_t n) {
    Napi::Float32Array out = Napi::Float32Array::New(env, n);
    std::copy(data, data + n, out.Data());
    return out;
}

// An optional caller-provided output array: undefined, or a Float32Array of exactly n values
// (held by the worker until it settles). Throws ERR_INVALID_ARGUMENT with `what` otherwise.
inline Napi::ObjectReference output_array(const Napi::Value & v, size_t n, const char * what) {
    if (v.IsUndefined()) {
        return Napi::ObjectReference();
    }
    const bool ok = v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array &&
                    v.As<Napi::Float32Array>().ElementLength() == n;
    if (!ok) {
        throw make_error(v.Env(), "ERR_INVALID_ARGUMENT", std::string(what) + " must be a Float32Array of " + std::to_string(n) + " values");
    }
    return Napi::Persistent(v.As<Napi::Object>());
}

// The result as JS: copied into the caller's array when there is one (on the main thread),
// else into a new Float32Array.
inline Napi::Float32Array deliver(Napi::Env env, const Napi::ObjectReference & out, const float * data, size_t n) {
    if (out.IsEmpty()) {
        return to_js(env, data, n);
    }
    Napi::Float32Array target = out.Value().As<Napi::Float32Array>();
    std::copy(data, data + n, target.Data());
    return target;
}

} // namespace amanuensis

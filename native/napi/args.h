// Readers of what JS hands to the addon: every native call takes its leading data arguments
// and one options object; these check types and ranges and throw ERR_INVALID_ARGUMENT naming
// the argument. Also the copies of JS arrays into native memory and the way results go back.
#pragma once

#include <napi.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/aligned_buffer.h"
#include "napi/js_error.h"

namespace amanuensis {

[[noreturn]] inline void invalid_argument(Napi::Env env, const std::string & message) {
    throw make_error(env, errc::invalid_argument, message);
}

// The options object at info[index]; `usage` names the call for the error message.
inline Napi::Object options_arg(const Napi::CallbackInfo & info, size_t index, const char * usage) {
    if (info.Length() <= index || !info[index].IsObject()) {
        invalid_argument(info.Env(), std::string(usage) + ": the last argument must be an options object");
    }
    return info[index].As<Napi::Object>();
}

inline int32_t int_arg(const Napi::Value & v, const char * what, int32_t lo, int32_t hi) {
    if (!v.IsNumber()) {
        invalid_argument(v.Env(), std::string(what) + " must be a number");
    }
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= lo && d <= hi) || d != static_cast<double>(static_cast<int64_t>(d))) {
        invalid_argument(v.Env(), std::string(what) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return static_cast<int32_t>(d);
}

// o[key], an integer in [lo, hi]; required.
inline int32_t int_field(const Napi::Object & o, const char * key, int32_t lo, int32_t hi) {
    return int_arg(o.Get(key), key, lo, hi);
}

// o[key], an integer in [lo, hi], or `fallback` when undefined.
inline int32_t int_field(const Napi::Object & o, const char * key, int32_t fallback, int32_t lo, int32_t hi) {
    const Napi::Value v = o.Get(key);
    return v.IsUndefined() ? fallback : int_arg(v, key, lo, hi);
}

// o[key] as a boolean, or `fallback` when undefined.
inline bool bool_field(const Napi::Object & o, const char * key, bool fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined()) {
        return fallback;
    }
    if (!v.IsBoolean()) {
        invalid_argument(o.Env(), std::string(key) + " must be a boolean");
    }
    return v.As<Napi::Boolean>().Value();
}

// o[key], a finite number in [lo, hi], or `fallback` when undefined.
inline double number_field(const Napi::Object & o, const char * key, double fallback, double lo, double hi) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined()) {
        return fallback;
    }
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : lo - 1;
    if (!(d >= lo && d <= hi)) {
        // shortest form of the bounds (std::to_string writes 1e300 with all its 301 digits)
        std::ostringstream message;
        message << key << " must be a number in [" << lo << ", " << hi << "]";
        invalid_argument(o.Env(), message.str());
    }
    return d;
}

// o[key], a non-negative integer below 2^53 (byte offsets, sample and frame counts of long audio); required.
inline int64_t count_field(const Napi::Object & o, const char * key) {
    const double d = number_field(o, key, -1, 0, 9007199254740991.0);
    if (d != static_cast<double>(static_cast<int64_t>(d))) {
        invalid_argument(o.Env(), std::string(key) + " must be a non-negative integer");
    }
    return static_cast<int64_t>(d);
}

// o[key] as a string, or `fallback` when undefined.
inline std::string string_field(const Napi::Object & o, const char * key, const std::string & fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined()) {
        return fallback;
    }
    if (!v.IsString()) {
        invalid_argument(o.Env(), std::string(key) + " must be a string");
    }
    return v.As<Napi::String>().Utf8Value();
}

// A native copy of a JS Float32Array, in an aligned_buffer so that megabyte-sized inputs
// (audio, features) are mapped and unmapped rather than left behind on the malloc heap.
class float_copy {
public:
    float_copy() = default;
    float_copy(const float * src, size_t n) : size_(n) { std::copy(src, src + n, buffer_.reserve(n > 0 ? n : 1, true)); }
    size_t size() const { return size_; }
    const float * data() const { return buffer_.data(); }
    const float * begin() const { return buffer_.data(); }
    const float * end() const { return buffer_.data() + size_; }

private:
    aligned_buffer<float> buffer_;
    size_t size_ = 0;
};

inline bool is_float32_array(const Napi::Value & v) {
    return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
}

// Copies a JS Float32Array into native memory (the worker must not read JS memory that the
// caller may change while it runs).
inline float_copy copy_floats(const Napi::Value & v, const char * what) {
    if (!is_float32_array(v)) {
        invalid_argument(v.Env(), std::string(what) + " must be a Float32Array");
    }
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    return float_copy(a.Data(), a.ElementLength());
}

inline std::vector<int32_t> copy_ints(const Napi::Value & v, const char * what) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
        invalid_argument(v.Env(), std::string(what) + " must be an Int32Array");
    }
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    return std::vector<int32_t>(a.Data(), a.Data() + a.ElementLength());
}

inline Napi::Float32Array to_js(Napi::Env env, const float * data, size_t n) {
    Napi::Float32Array out = Napi::Float32Array::New(env, n);
    std::copy(data, data + n, out.Data());
    return out;
}

// An optional caller-provided output array: undefined, or a Float32Array of exactly n values
// (held by the worker until it settles).
inline Napi::ObjectReference output_array(const Napi::Value & v, size_t n, const char * what) {
    if (v.IsUndefined()) {
        return Napi::ObjectReference();
    }
    if (!is_float32_array(v) || v.As<Napi::Float32Array>().ElementLength() != n) {
        invalid_argument(v.Env(), std::string(what) + " must be a Float32Array of " + std::to_string(n) + " values");
    }
    return Napi::Persistent(v.As<Napi::Object>());
}

// The result as JS, on the main thread: copied into the caller's array when there is one,
// else into a new Float32Array. The caller's array is checked again first, because its
// buffer may have been detached or shrunk while the worker ran.
inline Napi::Float32Array deliver(Napi::Env env, const Napi::ObjectReference & out, const float * data, size_t n) {
    if (out.IsEmpty()) {
        return to_js(env, data, n);
    }
    Napi::Float32Array target = out.Value().As<Napi::Float32Array>();
    if (target.ElementLength() != n || target.Data() == nullptr) {
        invalid_argument(env, "the output array was detached or resized while the call ran");
    }
    std::copy(data, data + n, target.Data());
    return target;
}

} // namespace amanuensis

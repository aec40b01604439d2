#include "napi/js_error.h"

#include "core/error.h"
#include "napi/addon_data.h"

namespace amanuensis {

Napi::Error make_error(Napi::Env env, const std::string & code, const std::string & message) {
    const addon_data & data = addon_data::of(env);
    if (!data.error_class.IsEmpty()) {
        Napi::Object e = data.error_class.New({Napi::String::New(env, code), Napi::String::New(env, message)});
        return Napi::Error(env, e);
    }
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("code", Napi::String::New(env, code));
    return e;
}

Napi::Value initialize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const Napi::Value cls = info[0].IsObject() ? info[0].As<Napi::Object>().Get("errorClass") : env.Undefined();
    if (!cls.IsFunction()) {
        throw make_error(env, errc::invalid_argument, "initialize({ errorClass }) takes the error class");
    }
    addon_data::of(env).error_class = Napi::Persistent(cls.As<Napi::Function>());
    return env.Undefined();
}

} // namespace amanuensis

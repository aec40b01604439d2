// Native failures as JS errors: instances of the AmanuensisError class that JS handed to the
// addon once (initialize), so that no JS call site has to convert them.
#pragma once

#include <napi.h>

#include <string>

namespace amanuensis {

// new AmanuensisError(code, message); a plain Error with `code` before initialize() has run.
Napi::Error make_error(Napi::Env env, const std::string & code, const std::string & message);

// initialize({ errorClass }) -> undefined: the class every native error is made of.
Napi::Value initialize(const Napi::CallbackInfo & info);

} // namespace amanuensis

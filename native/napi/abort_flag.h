// NativeAbortFlag: a flag JS raises (abort()) and native work running on other threads polls,
// so that an AbortSignal stops an encode between two layers instead of after the last one.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

namespace amanuensis {

class abort_flag_wrap : public Napi::ObjectWrap<abort_flag_wrap> {
public:
    static Napi::Function define(Napi::Env env);
    // The flag of a NativeAbortFlag, or null for undefined; throws ERR_INVALID_ARGUMENT otherwise.
    static std::shared_ptr<std::atomic<bool>> unwrap(const Napi::Value & v);

    explicit abort_flag_wrap(const Napi::CallbackInfo & info);

private:
    // abort(): raises the flag; the work that holds it stops at its next check.
    Napi::Value abort(const Napi::CallbackInfo & info);

    std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
};

} // namespace amanuensis

#include "napi/abort_flag.h"

#include "napi/addon_data.h"
#include "napi/args.h"

namespace amanuensis {

Napi::Function abort_flag_wrap::define(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "NativeAbortFlag", {InstanceMethod("abort", &abort_flag_wrap::abort)});
    addon_data::of(env).abort_flag_ctor = Napi::Persistent(ctor);
    return ctor;
}

std::shared_ptr<std::atomic<bool>> abort_flag_wrap::unwrap(const Napi::Value & v) {
    if (v.IsUndefined()) {
        return nullptr;
    }
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(addon_data::of(v.Env()).abort_flag_ctor.Value())) {
        invalid_argument(v.Env(), "abort must be a NativeAbortFlag");
    }
    return Unwrap(v.As<Napi::Object>())->flag_;
}

abort_flag_wrap::abort_flag_wrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<abort_flag_wrap>(info) {}

Napi::Value abort_flag_wrap::abort(const Napi::CallbackInfo & info) {
    flag_->store(true, std::memory_order_relaxed);
    return info.Env().Undefined();
}

} // namespace amanuensis

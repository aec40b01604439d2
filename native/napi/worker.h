// A promise-returning Napi::AsyncWorker: run() executes on a libuv worker thread, result()
// builds the value on the main thread; a native_error becomes a rejected AmanuensisError with
// its code. queue_worker() is the one place a worker is created and queued.
#pragma once

#include <napi.h>

#include <new>
#include <string>
#include <utility>

#include "core/error.h"
#include "napi/js_error.h"

namespace amanuensis {

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
            code_ = errc::out_of_memory;
            SetError("out of memory in the native module");
        } catch (const std::exception & e) {
            code_ = errc::native;
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

    // Runs on the main thread after the promise settles (release references and claims here).
    virtual void finished() {}

private:
    Napi::Promise::Deferred deferred_;
    std::string code_ = errc::native;
};

// Creates a Worker(env, args...), queues it and returns its promise.
template <typename Worker, typename... Args>
Napi::Promise queue_worker(Napi::Env env, Args &&... args) {
    auto * worker = new Worker(env, std::forward<Args>(args)...);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

} // namespace amanuensis

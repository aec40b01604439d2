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

    // Both settle the promise, then always run finished(). In an environment being torn down
    // (worker.terminate() while this call ran) every Node-API call fails and node-addon-api
    // throws: there is no one left to tell, so that is swallowed instead of escaping into
    // Node-API's completion callback, which would terminate the process.
    void OnOK() override {
        settle([this] {
            try {
                deferred_.Resolve(result(Env()));
            } catch (const Napi::Error & e) {
                deferred_.Reject(e.Value());
            }
        });
    }

    void OnError(const Napi::Error & e) override {
        const std::string message = e.Message();
        settle([&] { deferred_.Reject(make_error(Env(), code_, message).Value()); });
    }

    // Runs on the main thread after the promise settles (release references and claims here).
    virtual void finished() {}

    // node-addon-api opens a handle scope here and rethrows what a callback threw; in an
    // environment being torn down both throw, and an exception leaving this function would
    // terminate the process. Nothing may touch `this` after the base call: it deletes the worker.
    void OnWorkComplete(Napi::Env env, napi_status status) override {
        try {
            Napi::AsyncWorker::OnWorkComplete(env, status);
        } catch (...) {
        }
    }

private:
    template <typename Fn>
    void settle(Fn fn) {
        try {
            Napi::HandleScope scope(Env());
            fn();
        } catch (...) {
            // the environment is going away (see above)
        }
        try {
            finished();
        } catch (...) {
        }
    }

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

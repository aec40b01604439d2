// A promise-returning Napi::AsyncWorker: run() executes on a libuv worker thread, result()
// builds the value on the main thread; a native_error becomes a rejected AmanuensisError with
// its code, any other exception ERR_NATIVE or ERR_OUT_OF_MEMORY. queue_worker() is the one
// place a worker is created and queued.
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
    // Runs on the main thread after the promise settles, always (release references and claims here).
    virtual void finished() {}

    void Execute() override {
        try {
            run();
        } catch (const native_error & e) {
            fail(e.code(), e.what());
        } catch (const std::bad_alloc &) {
            fail(errc::out_of_memory, "out of memory in the native module");
        } catch (const std::exception & e) {
            fail(errc::native, e.what());
        }
    }

    // Replaces node-addon-api's completion (which rethrows what a callback threw, and opens a
    // handle scope that throws in an environment being torn down: an exception leaving this
    // function terminates the process). Settles the promise if it can, always runs finished(),
    // always frees the worker. In a dying environment (worker.terminate() while this call ran)
    // every Node-API call fails: there is no one left to tell, so that is swallowed.
    void OnWorkComplete(Napi::Env env, napi_status status) override {
        if (status != napi_cancelled) {
            try {
                Napi::HandleScope scope(env);
                settle(env);
            } catch (...) {
            }
        }
        try {
            finished();
        } catch (...) {
        }
        Destroy();
    }

private:
    void fail(std::string code, std::string message) {
        failed_ = true;
        code_ = std::move(code);
        message_ = std::move(message);
    }

    void settle(Napi::Env env) {
        if (failed_) {
            deferred_.Reject(make_error(env, code_, message_).Value());
            return;
        }
        try {
            deferred_.Resolve(result(env));
        } catch (const Napi::Error & e) {
            deferred_.Reject(e.Value());
        } catch (const std::bad_alloc &) {
            deferred_.Reject(make_error(env, errc::out_of_memory, "out of memory building the result").Value());
        } catch (const std::exception & e) {
            deferred_.Reject(make_error(env, errc::native, e.what()).Value());
        }
    }

    Napi::Promise::Deferred deferred_;
    bool failed_ = false;
    std::string code_;
    std::string message_;
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

// Persistent worker pool: threads are created once per model and reused for every
// parallel section, so no thread is created on the hot path. Workers spin for a short while
// (3 ms) after a section before sleeping, because a decoder step runs dozens of short sections
// back to back and a condition-variable wake-up costs tens of microseconds to milliseconds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace amanuensis {

class thread_pool {
public:
    // n_threads counts the calling thread: n_threads - 1 helpers are started.
    explicit thread_pool(int n_threads);
    ~thread_pool();

    thread_pool(const thread_pool &) = delete;
    thread_pool & operator=(const thread_pool &) = delete;

    int n_threads() const { return n_threads_; }

    // Runs fn(i) for every i in [0, n_tasks) on at most max_threads threads (the caller
    // included) and returns when all are done. Callers from different threads are
    // serialised: one parallel section owns the pool at a time.
    void parallel_for(int n_tasks, int max_threads, const std::function<void(int)> & fn);

private:
    void worker_loop(int helper_index);
    void run_tasks();

    const int n_threads_;
    std::vector<std::thread> helpers_;

    std::mutex run_mutex_;                 // one parallel section at a time
    std::mutex state_mutex_;               // guards the sleeping handshakes below
    std::condition_variable wake_cv_;
    std::condition_variable done_cv_;
    std::atomic<uint64_t> generation_{0};  // bumped to start a section
    std::atomic<int> sleeping_{0};         // helpers blocked on wake_cv_
    std::atomic<int> pending_{0};          // helpers still working on the section
    std::atomic<bool> stopping_{false};
    int active_helpers_ = 0;               // written before generation_ is bumped

    const std::function<void(int)> * job_ = nullptr;
    int n_tasks_ = 0;
    std::atomic<int> next_task_{0};
};

} // namespace amanuensis

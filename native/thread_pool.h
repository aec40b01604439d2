// Persistent worker pool: threads are created once per model and reused for every
// parallel section, so no thread is created on the hot path.
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

    std::mutex run_mutex_;            // one parallel section at a time
    std::mutex state_mutex_;
    std::condition_variable wake_cv_;
    std::condition_variable done_cv_;
    uint64_t generation_ = 0;
    int active_helpers_ = 0;
    int pending_helpers_ = 0;
    bool stopping_ = false;

    const std::function<void(int)> * job_ = nullptr;
    int n_tasks_ = 0;
    std::atomic<int> next_task_{0};
};

} // namespace amanuensis

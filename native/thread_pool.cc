#include "thread_pool.h"

#include <algorithm>

namespace amanuensis {

thread_pool::thread_pool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    for (int i = 0; i < n_threads_ - 1; ++i) {
        helpers_.emplace_back([this, i] { worker_loop(i); });
    }
}

thread_pool::~thread_pool() {
    {
        std::lock_guard<std::mutex> lock(state_mutex_);
        stopping_ = true;
    }
    wake_cv_.notify_all();
    for (auto & t : helpers_) {
        t.join();
    }
}

void thread_pool::run_tasks() {
    for (;;) {
        const int i = next_task_.fetch_add(1, std::memory_order_relaxed);
        if (i >= n_tasks_) {
            return;
        }
        (*job_)(i);
    }
}

void thread_pool::parallel_for(int n_tasks, int max_threads, const std::function<void(int)> & fn) {
    if (n_tasks <= 0) {
        return;
    }
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    const int helpers = std::max(0, std::min({max_threads, n_threads_, n_tasks}) - 1);
    if (helpers == 0) {
        for (int i = 0; i < n_tasks; ++i) {
            fn(i);
        }
        return;
    }
    {
        std::lock_guard<std::mutex> lock(state_mutex_);
        job_ = &fn;
        n_tasks_ = n_tasks;
        next_task_.store(0, std::memory_order_relaxed);
        active_helpers_ = helpers;
        pending_helpers_ = helpers;
        ++generation_;
    }
    wake_cv_.notify_all();
    run_tasks();
    std::unique_lock<std::mutex> lock(state_mutex_);
    done_cv_.wait(lock, [this] { return pending_helpers_ == 0; });
    job_ = nullptr;
}

void thread_pool::worker_loop(int helper_index) {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(state_mutex_);
    for (;;) {
        wake_cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) {
            return;
        }
        seen = generation_;
        if (helper_index >= active_helpers_) {
            continue;
        }
        lock.unlock();
        run_tasks();
        lock.lock();
        if (--pending_helpers_ == 0) {
            done_cv_.notify_one();
        }
    }
}

} // namespace amanuensis

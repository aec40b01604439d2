#include "thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AMANUENSIS_PAUSE() _mm_pause()
#else
#define AMANUENSIS_PAUSE() std::this_thread::yield()
#endif

namespace amanuensis {

namespace {
// How long a helper keeps spinning for the next section before it sleeps. Between decoder
// steps the TypeScript side works for about a millisecond; a helper that slept through it
// pays a wake-up that costs milliseconds on virtual machines (measured end to end on jfk.wav:
// 1400 ms with 0.2 ms of spinning, 1301 ms with 1 ms, 1106 ms with 3 ms). The price is up to
// 3 ms of one busy core after the last section of a burst.
constexpr auto SPIN_TIME = std::chrono::microseconds(3000);

// Spins until done() or SPIN_TIME has passed; reads the clock only every 256 pauses.
template <typename Done>
bool spin_until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + SPIN_TIME;
    for (unsigned i = 1;; ++i) {
        if (done()) {
            return true;
        }
        AMANUENSIS_PAUSE();
        if ((i & 255) == 0 && std::chrono::steady_clock::now() >= deadline) {
            return done();
        }
    }
}
} // namespace

thread_pool::thread_pool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    for (int i = 0; i < n_threads_ - 1; ++i) {
        helpers_.emplace_back([this, i] { worker_loop(i); });
    }
}

thread_pool::~thread_pool() {
    {
        std::lock_guard<std::mutex> lock(state_mutex_);
        stopping_.store(true);
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
    job_ = &fn;
    n_tasks_ = n_tasks;
    active_helpers_ = helpers;
    next_task_.store(0, std::memory_order_relaxed);
    pending_.store(helpers);
    generation_.fetch_add(1);  // seq_cst: publishes the section to spinning helpers
    if (sleeping_.load() > 0) {
        std::lock_guard<std::mutex> lock(state_mutex_);
        wake_cv_.notify_all();
    }
    run_tasks();
    if (!spin_until([this] { return pending_.load() == 0; })) {
        std::unique_lock<std::mutex> lock(state_mutex_);
        done_cv_.wait(lock, [this] { return pending_.load() == 0; });
    }
    job_ = nullptr;
}

void thread_pool::worker_loop(int helper_index) {
    uint64_t seen = 0;
    for (;;) {
        // spin for the next section, then sleep
        if (!spin_until([&] { return generation_.load() != seen || stopping_.load(); })) {
            std::unique_lock<std::mutex> lock(state_mutex_);
            sleeping_.fetch_add(1);
            wake_cv_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
            sleeping_.fetch_sub(1);
        }
        if (stopping_.load()) {
            return;
        }
        seen = generation_.load();
        if (helper_index >= active_helpers_) {
            continue;
        }
        run_tasks();
        if (pending_.fetch_sub(1) == 1) {
            std::lock_guard<std::mutex> lock(state_mutex_);
            done_cv_.notify_one();
        }
    }
}

} // namespace amanuensis

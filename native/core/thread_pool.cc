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
// How long a helper keeps waiting actively for the next section before it sleeps. Between
// decoder steps the TypeScript side works for about a millisecond; a helper that slept through
// it pays a wake-up that costs milliseconds on virtual machines (measured end to end on
// jfk.wav: 1400 ms with 0.2 ms of spinning, 1301 ms with 1 ms, 1106 ms with 3 ms).
constexpr auto SPIN_TIME = std::chrono::microseconds(3000);
// The first part of that wait uses the pause instruction (lowest latency); after it the helper
// yields its core on every check, so that a thread of another process, or our own caller
// sharing the core, runs instead of a helper that has nothing to do. Measured on 2 cores,
// jfk.wav end to end (bench/contention.ts): pausing for all 3 ms gives 877 ms with no load and
// 1.29x the one-thread time with one core busy; pausing 50 us gives 758 ms and 0.96x.
constexpr auto PAUSE_TIME = std::chrono::microseconds(50);

constexpr uint64_t INDEX_MASK = 0xffffffffu;
constexpr uint32_t CLOSED = 0xffffffffu;  // the task index of a finished section: above any size

uint64_t pack(uint32_t generation, uint32_t index) { return (static_cast<uint64_t>(generation) << 32) | index; }
uint32_t generation_of(uint64_t claim) { return static_cast<uint32_t>(claim >> 32); }

// Waits until done() holds or SPIN_TIME has passed: pausing first, then yielding.
template <typename Done>
bool spin_until(Done done) {
    const auto start = std::chrono::steady_clock::now();
    bool yielding = false;
    for (unsigned i = 1;; ++i) {
        if (done()) {
            return true;
        }
        if (yielding) {
            std::this_thread::yield();
        } else {
            AMANUENSIS_PAUSE();
        }
        if ((i & (yielding ? 7 : 127)) == 0) {
            const auto waited = std::chrono::steady_clock::now() - start;
            if (waited >= SPIN_TIME) {
                return done();
            }
            yielding = waited >= PAUSE_TIME;
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

void thread_pool::run_tasks(uint32_t generation, const std::function<void(int)> * job, int n_tasks) {
    uint64_t claim = claim_.load();
    for (;;) {
        if (generation_of(claim) != generation || (claim & INDEX_MASK) >= static_cast<uint64_t>(n_tasks)) {
            return;
        }
        if (!claim_.compare_exchange_weak(claim, claim + 1)) {
            continue;  // claim now holds the current value
        }
        // after a failure the remaining tasks are only counted: the caller rethrows
        if (!failed_.load()) {
            try {
                (*job)(static_cast<int>(claim & INDEX_MASK));
            } catch (...) {
                bool first = false;
                if (failed_.compare_exchange_strong(first, true)) {
                    failure_ = std::current_exception();
                }
            }
        }
        if (done_.fetch_add(1) + 1 == n_tasks && caller_sleeping_.load()) {
            std::lock_guard<std::mutex> lock(state_mutex_);
            done_cv_.notify_one();
        }
        claim = claim_.load();
    }
}

void thread_pool::parallel_for(int n_tasks, int max_threads, const std::function<void(int)> & fn) {
    if (n_tasks <= 0) {
        return;
    }
    const int helpers = std::max(0, std::min({max_threads, n_threads_, n_tasks}) - 1);
    if (helpers == 0) {
        // alone: no need to take the pool from another caller
        for (int i = 0; i < n_tasks; ++i) {
            fn(i);
        }
        return;
    }
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    // publish the section: job and size first, then the claim word that opens it (seq_cst)
    const uint32_t generation = generation_of(claim_.load()) + 1;
    job_.store(&fn);
    n_tasks_.store(n_tasks);
    active_helpers_.store(helpers);
    done_.store(0);
    failed_.store(false);
    failure_ = nullptr;
    claim_.store(pack(generation, 0));
    if (sleeping_.load() > 0) {
        std::lock_guard<std::mutex> lock(state_mutex_);
        wake_cv_.notify_all();
    }
    run_tasks(generation, &fn, n_tasks);
    // only tasks already claimed can still be running: wait for those
    if (!spin_until([&] { return done_.load() == n_tasks; })) {
        std::unique_lock<std::mutex> lock(state_mutex_);
        caller_sleeping_.store(true);
        done_cv_.wait(lock, [&] { return done_.load() == n_tasks; });
        caller_sleeping_.store(false);
    }
    // close the section before the next one changes the job and size: a helper that read the
    // new size but still holds this generation finds no task index below it to claim
    claim_.store(pack(generation, CLOSED));
    job_.store(nullptr);
    if (failed_.load()) {
        std::rethrow_exception(failure_);
    }
}

std::shared_ptr<thread_pool> shared_thread_pool(int n_threads) {
    static std::mutex mutex;
    static std::weak_ptr<thread_pool> current;
    std::lock_guard<std::mutex> lock(mutex);
    std::shared_ptr<thread_pool> pool = current.lock();
    if (pool == nullptr || pool->n_threads() < n_threads) {
        pool = std::make_shared<thread_pool>(n_threads);
        current = pool;
    }
    return pool;
}

void thread_pool::wait_for_section(uint32_t seen, bool spin) {
    const auto ready = [&] { return generation_of(claim_.load()) != seen || stopping_.load(); };
    if (spin ? spin_until(ready) : ready()) {
        return;
    }
    std::unique_lock<std::mutex> lock(state_mutex_);
    sleeping_.fetch_add(1);
    wake_cv_.wait(lock, ready);
    sleeping_.fetch_sub(1);
}

void thread_pool::worker_loop(int helper_index) {
    uint32_t seen = 0;
    bool needed = true;  // whether the last section wanted this helper
    for (;;) {
        // a helper that a pool shared with smaller callers did not need sleeps instead of spinning
        wait_for_section(seen, needed);
        if (stopping_.load()) {
            return;
        }
        // the job and size read after the claim word belong to its section or a later one; the
        // claim word of a finished section is closed before they change, so a later job's tasks
        // can never be claimed under this section's generation
        const uint64_t claim = claim_.load();
        seen = generation_of(claim);
        const std::function<void(int)> * job = job_.load();
        const int n_tasks = n_tasks_.load();
        needed = helper_index < active_helpers_.load();
        if (!needed || job == nullptr) {
            continue;
        }
        run_tasks(seen, job, n_tasks);
    }
}

} // namespace amanuensis

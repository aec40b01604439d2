// Persistent worker pool: its threads are created once (one pool for the whole process, see
// shared_thread_pool) and reused for every parallel section, so no thread is created on the hot path.
//
// Built to degrade gracefully when the machine's cores are busy with other work:
// - tasks are claimed one at a time from a shared counter, and the calling thread claims too,
//   so a helper that the OS has descheduled simply takes no share: the others take its tasks;
// - the caller waits only for tasks that were claimed and are still running, never for a
//   helper to wake up and check in (one late helper no longer stalls every section);
// - helpers spin for the next section only briefly with the pause instruction, then yield
//   their core to any other runnable thread while they wait, and sleep after SPIN_TIME.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
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
    // serialised: one parallel section owns the pool at a time. If a task throws (e.g.
    // std::bad_alloc), the remaining tasks are skipped and the first exception is rethrown
    // here once every task that had started has finished.
    void parallel_for(int n_tasks, int max_threads, const std::function<void(int)> & fn);

private:
    void worker_loop(int helper_index);
    // Claims and runs tasks of section `generation` until none is left.
    void run_tasks(uint32_t generation, const std::function<void(int)> * job, int n_tasks);
    // Waits for a section newer than `seen`: spinning, then yielding, then sleeping when `spin`,
    // else sleeping at once (a helper the last section did not need).
    void wait_for_section(uint32_t seen, bool spin);

    const int n_threads_;
    std::vector<std::thread> helpers_;

    std::mutex run_mutex_;                     // one parallel section at a time
    std::mutex state_mutex_;                   // guards the sleeping handshakes below
    std::condition_variable wake_cv_;
    std::condition_variable done_cv_;
    std::atomic<int> sleeping_{0};             // helpers blocked on wake_cv_
    std::atomic<bool> caller_sleeping_{false}; // the caller blocked on done_cv_
    std::atomic<bool> stopping_{false};

    // The current section. `claim_` packs the section's generation (high 32 bits) with the
    // index of the next unclaimed task: a helper claims a task with one compare-and-swap that
    // fails if the section has changed, so a late helper can never run a stale job.
    // claim_ and done_ each on their own cache line: helpers poll claim_ while the caller counts
    // done_, and one shared line would bounce between the cores on every task
    alignas(64) std::atomic<uint64_t> claim_{0};
    std::atomic<const std::function<void(int)> *> job_{nullptr};
    std::atomic<int> n_tasks_{0};
    std::atomic<int> active_helpers_{0};       // helpers allowed into the section
    alignas(64) std::atomic<int> done_{0};                 // tasks of the section completed (or skipped after a failure)
    std::atomic<bool> failed_{false};          // a task of the section threw
    std::exception_ptr failure_;               // the first exception, written by the thread that set failed_
};

// The pool of the whole process, shared by every model in every environment (main thread and
// worker threads), so that several Transcribers never run more pool threads than the largest
// thread count one of them asked for: their parallel sections take turns on it. A request for
// more threads than the current pool has starts a larger pool for the models created from then
// on (earlier models keep theirs). The pool ends with the last model that uses it.
std::shared_ptr<thread_pool> shared_thread_pool(int n_threads);

} // namespace amanuensis

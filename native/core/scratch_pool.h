// Scratch memory owned by a model and reused across calls (llama2.c's RunState): a call
// leases a workspace, grows its buffers to what it needs and hands it back, so a warm model
// allocates nothing per encode or per decoder step. Concurrent calls on one model each lease
// their own; the pool keeps as many as were ever in use at once.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

namespace amanuensis {

template <typename Workspace>
class scratch_pool {
public:
    // A workspace for the duration of one call; returned to the pool on destruction.
    class lease {
    public:
        lease() = default;
        lease(scratch_pool * pool, std::unique_ptr<Workspace> ws) : pool_(pool), ws_(std::move(ws)) {}
        lease(lease && o) noexcept = default;
        lease & operator=(lease && o) noexcept {
            give_back();
            pool_ = o.pool_;
            ws_ = std::move(o.ws_);
            return *this;
        }
        lease(const lease &) = delete;
        lease & operator=(const lease &) = delete;
        ~lease() { give_back(); }

        Workspace & operator*() const { return *ws_; }
        Workspace * operator->() const { return ws_.get(); }
        Workspace * get() const { return ws_.get(); }

    private:
        void give_back() {
            if (ws_ != nullptr) {
                pool_->put(std::move(ws_));
            }
        }
        scratch_pool * pool_ = nullptr;
        std::unique_ptr<Workspace> ws_;
    };

    lease acquire() {
        std::lock_guard<std::mutex> lock(mutex_);
        if (free_.empty()) {
            return lease(this, std::make_unique<Workspace>());
        }
        std::unique_ptr<Workspace> ws = std::move(free_.back());
        free_.pop_back();
        return lease(this, std::move(ws));
    }

private:
    void put(std::unique_ptr<Workspace> ws) {
        std::lock_guard<std::mutex> lock(mutex_);
        free_.push_back(std::move(ws));
    }

    std::mutex mutex_;
    std::vector<std::unique_ptr<Workspace>> free_;
};

} // namespace amanuensis

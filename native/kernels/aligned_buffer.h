// Growable 64-byte aligned scratch memory, reused across calls so that kernels do not
// allocate on the hot path once warmed up.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace amanuensis {

template <typename T>
class aligned_buffer {
public:
    aligned_buffer() = default;
    explicit aligned_buffer(size_t n) { reserve(n); }
    ~aligned_buffer() { std::free(data_); }
    aligned_buffer(const aligned_buffer &) = delete;
    aligned_buffer & operator=(const aligned_buffer &) = delete;
    aligned_buffer(aligned_buffer && o) noexcept : data_(o.data_), capacity_(o.capacity_) {
        o.data_ = nullptr;
        o.capacity_ = 0;
    }
    aligned_buffer & operator=(aligned_buffer && o) noexcept {
        if (this != &o) {
            std::free(data_);
            data_ = o.data_;
            capacity_ = o.capacity_;
            o.data_ = nullptr;
            o.capacity_ = 0;
        }
        return *this;
    }

    // Ensures room for n elements; old contents are not kept.
    T * reserve(size_t n) {
        if (n > capacity_) {
            std::free(data_);
            const size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
            data_ = static_cast<T *>(std::aligned_alloc(64, bytes));
            if (data_ == nullptr) {
                capacity_ = 0;
                throw std::bad_alloc();
            }
            capacity_ = n;
        }
        return data_;
    }

    T * data() { return data_; }
    const T * data() const { return data_; }
    size_t capacity() const { return capacity_; }

private:
    T * data_ = nullptr;
    size_t capacity_ = 0;
};

} // namespace amanuensis

// Growable 64-byte aligned scratch memory, reused across calls so that kernels do not
// allocate on the hot path once warmed up. Buffers of 1 MiB and more are mapped directly and
// unmapped when released: through malloc, glibc raises its mmap threshold after large frees
// and keeps later 24 MB decoder caches on the heap, where freed memory is not returned to the
// system (measured: RSS climbing past 1 GB over 1000 transcriptions).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if !defined(_WIN32)
#include <sys/mman.h>
#endif

namespace amanuensis {

template <typename T>
class aligned_buffer {
public:
    aligned_buffer() = default;
    explicit aligned_buffer(size_t n) { reserve(n); }
    ~aligned_buffer() { release(); }
    aligned_buffer(const aligned_buffer &) = delete;
    aligned_buffer & operator=(const aligned_buffer &) = delete;
    aligned_buffer(aligned_buffer && o) noexcept
        : data_(o.data_), capacity_(o.capacity_), bytes_(o.bytes_), mapped_(o.mapped_) {
        o.data_ = nullptr;
        o.capacity_ = 0;
        o.bytes_ = 0;
        o.mapped_ = false;
    }
    aligned_buffer & operator=(aligned_buffer && o) noexcept {
        if (this != &o) {
            release();
            data_ = o.data_;
            capacity_ = o.capacity_;
            bytes_ = o.bytes_;
            mapped_ = o.mapped_;
            o.data_ = nullptr;
            o.capacity_ = 0;
            o.bytes_ = 0;
            o.mapped_ = false;
        }
        return *this;
    }

    // Ensures room for n elements; old contents are not kept.
    T * reserve(size_t n) {
        if (n > capacity_) {
            release();
            const size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
#if !defined(_WIN32)
            if (bytes >= MAP_MIN_BYTES) {
                void * p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED) {
                    throw std::bad_alloc();
                }
                data_ = static_cast<T *>(p);
                mapped_ = true;
            } else
#endif
            {
                data_ = static_cast<T *>(std::aligned_alloc(64, bytes));
                if (data_ == nullptr) {
                    throw std::bad_alloc();
                }
                mapped_ = false;
            }
            bytes_ = bytes;
            capacity_ = n;
        }
        return data_;
    }

    T * data() { return data_; }
    const T * data() const { return data_; }
    size_t capacity() const { return capacity_; }

private:
    static constexpr size_t MAP_MIN_BYTES = size_t(1) << 20;

    void release() {
        if (data_ != nullptr) {
#if !defined(_WIN32)
            if (mapped_) {
                ::munmap(data_, bytes_);
            } else
#endif
            {
                std::free(data_);
            }
        }
        data_ = nullptr;
        capacity_ = 0;
        bytes_ = 0;
        mapped_ = false;
    }

    T * data_ = nullptr;
    size_t capacity_ = 0;
    size_t bytes_ = 0;
    bool mapped_ = false;
};

} // namespace amanuensis

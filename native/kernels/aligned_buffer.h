// Growable 64-byte aligned scratch memory, reused across calls so that kernels do not
// allocate on the hot path once warmed up. Buffers of 1 MiB and more are mapped directly and
// unmapped when released: through malloc, glibc raises its mmap threshold after large frees
// and keeps later 24 MB decoder caches on the heap, where freed memory is not returned to the
// system (measured: RSS climbing past 1 GB over 1000 transcriptions).
// A buffer that is written whole (a window's cross-attention keys and values, the encoder's
// activations) may ask for transparent huge pages: 2 MiB-aligned and advised, it faults in 512
// times less often and unmaps several times faster (measured: releasing a tiny.en window's
// 27 MB of caches 2.1 ms -> 0.4 ms). Buffers filled only in part (the self-attention caches,
// sized for the whole text context) do not, as every touched 2 MiB page would be resident.
#pragma once

#include <cstddef>
#include <cstdint>
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

    // Ensures room for n elements; old contents are not kept. huge_pages: see above.
    T * reserve(size_t n, bool huge_pages = false) {
        if (n > capacity_) {
            release();
            const size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
#if !defined(_WIN32)
            if (bytes >= MAP_MIN_BYTES) {
                data_ = static_cast<T *>(huge_pages && bytes >= HUGE_PAGE_BYTES ? map_huge(bytes) : map(bytes));
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
    static constexpr size_t HUGE_PAGE_BYTES = size_t(2) << 20;

#if !defined(_WIN32)
    static void * map(size_t bytes) {
        void * p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            throw std::bad_alloc();
        }
        return p;
    }

    // bytes at a 2 MiB boundary (the kernel backs only aligned 2 MiB ranges with huge pages): one
    // page more is mapped and what lies outside the aligned range unmapped again
    static void * map_huge(size_t bytes) {
        char * p = static_cast<char *>(map(bytes + HUGE_PAGE_BYTES));
        const uintptr_t at = reinterpret_cast<uintptr_t>(p);
        char * start = p + ((HUGE_PAGE_BYTES - at % HUGE_PAGE_BYTES) % HUGE_PAGE_BYTES);
        if (start > p) {
            ::munmap(p, static_cast<size_t>(start - p));
        }
        char * end = p + bytes + HUGE_PAGE_BYTES;
        const size_t page = 4096;
        char * tail = start + (bytes + page - 1) / page * page;
        if (end > tail) {
            ::munmap(tail, static_cast<size_t>(end - tail));
        }
        ::madvise(start, bytes, MADV_HUGEPAGE);  // advice only: without THP it changes nothing
        return start;
    }
#endif

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

#include "log_mel.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/aligned_buffer.h"
#include "parallel_ops.h"

namespace amanuensis {

namespace {

// A real frame's DFT splits by symmetry: with e[n] = x[n] + x[N - n] and o[n] = x[n] - x[N - n],
//   Re X_k = x[0] + (-1)^k x[N/2] + sum_{n=1}^{N/2-1} e[n] cos(2 pi k n / N)
//   Im X_k = -sum_{n=1}^{N/2-1} o[n] sin(2 pi k n / N)
// so two half-size products replace one full one. The even part is stored as
// [x[0], e[1..199], x[200]] (201 inputs), the odd part as o[1..199] (199 inputs).
constexpr int EVEN = MEL_N_FREQ;       // 201
constexpr int ODD = MEL_N_FREQ - 2;    // 199

// Linear weights, computed in double with the angle reduced modulo N, then rounded once:
// cosine [201 outputs k, 201 inputs], sine [199 outputs k = 1..199, 199 inputs n = 1..199].
struct dft_bases {
    std::vector<float> cosine;
    std::vector<float> sine;
};

const dft_bases & bases() {
    static const dft_bases b = [] {
        dft_bases d;
        d.cosine.resize(static_cast<size_t>(EVEN) * EVEN);
        d.sine.resize(static_cast<size_t>(ODD) * ODD);
        auto angle = [](int k, int n) {
            return 2.0 * M_PI * static_cast<double>((static_cast<int64_t>(k) * n) % MEL_N_FFT) / MEL_N_FFT;
        };
        for (int k = 0; k < EVEN; ++k) {
            for (int n = 0; n < EVEN; ++n) d.cosine[static_cast<size_t>(k) * EVEN + n] = static_cast<float>(std::cos(angle(k, n)));
        }
        for (int k = 1; k <= ODD; ++k) {
            for (int n = 1; n <= ODD; ++n) d.sine[static_cast<size_t>(k - 1) * ODD + n - 1] = static_cast<float>(std::sin(angle(k, n)));
        }
        return d;
    }();
    return b;
}

const std::vector<float> & hann_window() {
    static const std::vector<float> w = [] {
        std::vector<float> v(MEL_N_FFT);
        for (int i = 0; i < MEL_N_FFT; ++i) v[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * i / MEL_N_FFT));
        return v;
    }();
    return w;
}

// numpy/torch 'reflect' index (edge not repeated) into a signal of length n.
int64_t reflect(int64_t i, int64_t n) {
    if (n == 1) return 0;
    const int64_t period = 2 * (n - 1);
    int64_t j = i % period;
    if (j < 0) j += period;
    return j < n ? j : period - j;
}

} // namespace

float log_mel_range(thread_pool & pool, int n_threads, kernel_path path, const log_mel_request & req, const float * filters,
                    int n_mels, float * out) {
    const int64_t n_samples = req.n_samples;
    const int64_t n_signal = n_samples + req.padding;
    const int64_t first = req.first_frame;
    const int64_t n_frames = req.n_frames;
    if (first < 0 || n_frames < 0 || first + n_frames > n_signal / MEL_HOP || req.slice_offset < 0 || req.slice_len < 0 ||
        req.slice_offset + req.slice_len > n_samples) {
        throw native_error(errc::invalid_argument, "the frame range or the slice lies outside the signal");
    }
    const float silent = -10.0f;  // log10(1e-10): frames wholly in the appended zeros
    if (n_frames == 0) return silent;
    const int half = MEL_N_FFT / 2;

    // frames wholly inside the appended zeros (their reflections included) have zero power
    std::vector<int64_t> computed;
    for (int64_t t = first; t < first + n_frames; ++t) {
        const int64_t start = t * MEL_HOP - half;
        if (!(start >= n_samples && start + MEL_N_FFT <= n_signal)) computed.push_back(t);
    }
    const int64_t rows = static_cast<int64_t>(computed.size());
    // every sample a computed frame reads (reflections included) must lie in the slice: frames
    // between the first and the last read between the samples those two read
    if (rows > 0) {
        for (int64_t t : {computed.front(), computed.back()}) {
            for (int i = 0; i < MEL_N_FFT; ++i) {
                const int64_t j = reflect(t * MEL_HOP - half + i, n_signal);
                if (j < n_samples && (j < req.slice_offset || j >= req.slice_offset + req.slice_len)) {
                    throw native_error(errc::invalid_argument, "the samples given do not cover frame " + std::to_string(t));
                }
            }
        }
    }
    const float * samples = req.slice - req.slice_offset;  // indexed by global sample number

    // scratch kept per calling thread, so repeated calls reuse memory that is already mapped.
    // The pool's helpers must reach the caller's buffers through these pointers: inside a
    // lambda a thread_local name would resolve to the helper's own (empty) instance.
    thread_local aligned_buffer<float> frames_buffer;
    thread_local aligned_buffer<float> spectrum_buffer;
    thread_local aligned_buffer<float> mel_buffer;
    float * const frames = frames_buffer.reserve(static_cast<size_t>(std::max<int64_t>(rows, 1)) * MEL_N_FFT);      // even | odd parts [rows, 201 + 199]
    float * const spectrum = spectrum_buffer.reserve(static_cast<size_t>(std::max<int64_t>(rows, 1)) * MEL_N_FFT);  // real | imaginary parts [rows, 201 + 199]
    float * const mel = mel_buffer.reserve(static_cast<size_t>(std::max<int64_t>(rows, 1)) * n_mels);               // filterbank energies, then log10 [rows, n_mels]
    const std::vector<float> & window = hann_window();

    const int64_t chunk = 64;
    parallel_chunks(pool, n_threads, rows, chunk, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t start = computed[r] * MEL_HOP - half;
            float x[MEL_N_FFT];
            if (start >= req.slice_offset && start + MEL_N_FFT <= req.slice_offset + req.slice_len) {
                // interior frame: no reflection, no padding
                for (int i = 0; i < MEL_N_FFT; ++i) x[i] = window[i] * samples[start + i];
            } else {
                for (int i = 0; i < MEL_N_FFT; ++i) {
                    // inside the slice (checked above for the range's first and last frames, and
                    // frames in between read between those)
                    const int64_t j = reflect(start + i, n_signal);
                    x[i] = j < n_samples ? window[i] * samples[j] : 0.0f;
                }
            }
            float * even = frames + r * MEL_N_FFT;
            float * odd = even + EVEN;
            even[0] = x[0];
            even[EVEN - 1] = x[MEL_N_FFT / 2];
            for (int n = 1; n <= ODD; ++n) {
                even[n] = x[n] + x[MEL_N_FFT - n];
                odd[n - 1] = x[n] - x[MEL_N_FFT - n];
            }
        }
    });

    if (rows > 0) {
        const dft_bases & b = bases();
        parallel_linear(pool, n_threads, static_cast<int>(rows), frames, MEL_N_FFT,
                        matrix_view{b.cosine.data(), dtype::f32, EVEN, EVEN}, spectrum, MEL_N_FFT, gemm_epilogue{}, path);
        parallel_linear(pool, n_threads, static_cast<int>(rows), frames + EVEN, MEL_N_FFT,
                        matrix_view{b.sine.data(), dtype::f32, ODD, ODD}, spectrum + EVEN, MEL_N_FFT, gemm_epilogue{}, path);
        // power spectrum in place over the real part: |X_k|^2 = Re^2 + Im^2
        parallel_chunks(pool, n_threads, rows, chunk, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                float * s = spectrum + r * MEL_N_FFT;
                for (int k = 0; k < MEL_N_FREQ; ++k) {
                    const float sine = (k >= 1 && k <= MEL_N_FREQ - 2) ? s[MEL_N_FREQ + k - 1] : 0.0f;
                    s[k] = s[k] * s[k] + sine * sine;
                }
            }
        });
        parallel_linear(pool, n_threads, static_cast<int>(rows), spectrum, MEL_N_FFT,
                        matrix_view{filters, dtype::f32, n_mels, MEL_N_FREQ}, mel, n_mels, gemm_epilogue{}, path);
    }

    // log10 with the clamp, in parallel, each task keeping its own maximum
    const int n_tasks = static_cast<int>((rows + chunk - 1) / chunk);
    std::vector<float> task_max(std::max(n_tasks, 1), -INFINITY);
    parallel_chunks(pool, n_threads, rows, chunk, [&](int64_t r0, int64_t r1) {
        float m = -INFINITY;
        for (int64_t i = r0 * n_mels; i < r1 * n_mels; ++i) {
            mel[i] = std::log10(std::max(mel[i], 1e-10f));
            m = std::max(m, mel[i]);
        }
        task_max[r0 / chunk] = m;
    });
    // the dynamic-range floor: from the given reference (the whole spectrogram's maximum, when
    // windows of it are computed one at a time), else from this range, silent frames included
    float max_v = rows < n_frames ? silent : -INFINITY;
    for (float m : task_max) max_v = std::max(max_v, m);
    if (out == nullptr) return max_v;
    const float floor_v = (std::isnan(req.log_max) ? max_v : req.log_max) - 8.0f;
    const float silent_out = (std::max(silent, floor_v) + 4.0f) / 4.0f;
    // output [n_mels, n_frames]: each band is written by one task
    pool.parallel_for(n_mels, n_threads, [&](int m) {
        float * band = out + static_cast<int64_t>(m) * n_frames;
        std::fill(band, band + n_frames, silent_out);
        for (int64_t r = 0; r < rows; ++r) {
            band[computed[r] - first] = (std::max(mel[r * n_mels + m], floor_v) + 4.0f) / 4.0f;
        }
    });
    return max_v;
}

} // namespace amanuensis

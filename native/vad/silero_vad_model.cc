// Silero VAD forward pass (see silero_vad_model.h), following the architecture of the
// 16 kHz branch of Silero VAD v5/v6: STFT magnitude, four Conv1d+ReLU, LSTMCell, ReLU, 1x1 conv, sigmoid.
#include "vad/silero_vad_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "core/error.h"
#include "kernels/gemm.h"
#include "vad/silero_vad_lstm.h"

namespace amanuensis {

namespace d = silero_vad_dims;

namespace {

constexpr int padded_length = d::context + d::window + 64;  // 640: the STFT's input per frame
constexpr int frames_per_task = 32;                          // frames one encoder task computes
constexpr int frames_per_block = 512;                        // frames per LSTM run (and between abort checks)

// A weight [n, k] row-major (PyTorch's [out, in]) packed once for gemm_packed.
struct packed_weight {
    int n = 0;
    int k = 0;
    aligned_buffer<float> panels;

    packed_weight(const std::vector<float> & w, int n_, int k_, kernel_path path) : n(n_), k(k_) {
        float * p = panels.reserve(packed_b_floats(n, k));
        pack_b_columns(linear_weight(matrix_view{w.data(), dtype::f32, n, k}), n, k, 0, n, p, path);
    }
};

// Per-thread scratch of the encoder, kept between calls (no allocation once warmed up).
struct encoder_scratch {
    std::vector<float> inputs, windows, spectrum, a, b, cols;
};
thread_local encoder_scratch tls_scratch;

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Frame g of `x` (n samples), zero-padded past the end.
void frame_chunk(const float * x, size_t n, size_t g, float * chunk) {
    const size_t start = g * d::window;
    const size_t take = std::min<size_t>(d::window, n - start);
    std::copy(x + start, x + start + take, chunk);
    std::fill(chunk + take, chunk + d::window, 0.0f);
}

// The 640 STFT input samples of frame g of `x`: see silero_vad_framing.
void frame_input(const float * x, size_t n, size_t g, const float * context, silero_vad_framing framing, float * p) {
    float chunk[d::window];
    frame_chunk(x, n, g, chunk);
    if (framing == silero_vad_framing::silero) {
        if (g == 0) {
            std::copy(context, context + d::context, p);
        } else {
            std::copy(x + g * d::window - d::context, x + g * d::window, p);  // the previous frame is whole
        }
        std::copy(chunk, chunk + d::window, p + d::context);
        // reflect padding (no edge repeat) of the 576 samples on the right: p[574], p[573], ...
        for (int j = 0; j < 64; ++j) {
            p[d::context + d::window + j] = p[d::context + d::window - 2 - j];
        }
    } else {
        for (int j = 0; j < 64; ++j) {
            p[j] = chunk[64 - j];
            p[64 + d::window + j] = chunk[d::window - 2 - j];
        }
        std::copy(chunk, chunk + d::window, p + 64);
    }
}

// One Conv1d (kernel 3, zero padding 1) + ReLU over frames, time-major per frame:
// in [n_frames, l_in, c_in] -> out [n_frames, l_out, c_out], as an im2col GEMM.
void conv_relu(const float * in, int n_frames, int l_in, int c_in, int stride, const packed_weight & w, const float * b, float * out,
               std::vector<float> & cols, kernel_path path) {
    const int l_out = (l_in + 2 - d::kernel) / stride + 1;
    const int k_dim = c_in * d::kernel;
    const int rows = n_frames * l_out;
    cols.assign(static_cast<size_t>(rows) * k_dim, 0.0f);
    for (int f = 0; f < n_frames; ++f) {
        for (int t = 0; t < l_out; ++t) {
            float * row = cols.data() + static_cast<size_t>(f * l_out + t) * k_dim;
            for (int k = 0; k < d::kernel; ++k) {
                const int src = t * stride - 1 + k;
                if (src < 0 || src >= l_in) {
                    continue;
                }
                const float * x = in + static_cast<size_t>(f * l_in + src) * c_in;
                for (int ci = 0; ci < c_in; ++ci) {
                    row[ci * d::kernel + k] = x[ci];  // PyTorch weight order [out, in, k]
                }
            }
        }
    }
    gemm_epilogue ep;
    ep.bias = b;
    gemm_packed(rows, w.n, k_dim, cols.data(), k_dim, w.panels.data(), out, w.n, ep, path);
    for (size_t i = 0; i < static_cast<size_t>(rows) * w.n; ++i) {
        out[i] = std::max(out[i], 0.0f);
    }
}

} // namespace

struct silero_vad_kernels {
    packed_weight basis;
    std::vector<packed_weight> conv;
    packed_weight w_ih;
    aligned_buffer<float> w_hh;  // read row by row by gemv_rows
};

silero_vad_model::silero_vad_model(silero_vad_weights weights, int n_threads, kernel_path path)
    : w_(std::move(weights)), path_(path), pool_(shared_thread_pool(n_threads)) {
    lstm_bias_.resize(d::gates);
    for (int i = 0; i < d::gates; ++i) {
        lstm_bias_[i] = w_.lstm_b_ih[i] + w_.lstm_b_hh[i];
    }
    std::vector<packed_weight> conv;
    for (int i = 0; i < d::n_layers; ++i) {
        conv.emplace_back(w_.conv_w[i], d::conv_out[i], d::conv_in[i] * d::kernel, path);
    }
    kernels_ = std::make_shared<silero_vad_kernels>(silero_vad_kernels{
        packed_weight(w_.stft_basis, 2 * d::n_bins, d::n_fft, path), std::move(conv), packed_weight(w_.lstm_w_ih, d::gates, d::hidden, path),
        aligned_buffer<float>(w_.lstm_w_hh.size())});
    std::copy(w_.lstm_w_hh.begin(), w_.lstm_w_hh.end(), kernels_->w_hh.data());
}

void silero_vad_model::encode_frames(const float * x, size_t n, size_t first, int n_frames, const float * context, silero_vad_framing framing,
                                     float * gates_x) const {
    const silero_vad_kernels & k = *kernels_;
    encoder_scratch & s = tls_scratch;
    s.inputs.resize(static_cast<size_t>(n_frames) * padded_length);
    for (int f = 0; f < n_frames; ++f) {
        frame_input(x, n, first + f, context, framing, s.inputs.data() + static_cast<size_t>(f) * padded_length);
    }
    // STFT: each frame's 4 windows of 256 samples, 128 apart, times the 258 basis rows
    const int n_rows = n_frames * d::n_steps;
    s.windows.resize(static_cast<size_t>(n_rows) * d::n_fft);
    for (int f = 0; f < n_frames; ++f) {
        for (int t = 0; t < d::n_steps; ++t) {
            const float * src = s.inputs.data() + static_cast<size_t>(f) * padded_length + t * d::hop;
            std::copy(src, src + d::n_fft, s.windows.data() + static_cast<size_t>(f * d::n_steps + t) * d::n_fft);
        }
    }
    s.spectrum.resize(static_cast<size_t>(n_rows) * 2 * d::n_bins);
    gemm_packed(n_rows, 2 * d::n_bins, d::n_fft, s.windows.data(), d::n_fft, k.basis.panels.data(), s.spectrum.data(), 2 * d::n_bins,
                gemm_epilogue{}, path_);
    s.a.resize(static_cast<size_t>(n_rows) * d::n_bins);
    for (int r = 0; r < n_rows; ++r) {
        const float * re = s.spectrum.data() + static_cast<size_t>(r) * 2 * d::n_bins;
        const float * im = re + d::n_bins;
        float * mag = s.a.data() + static_cast<size_t>(r) * d::n_bins;
        for (int j = 0; j < d::n_bins; ++j) {
            mag[j] = std::sqrt(re[j] * re[j] + im[j] * im[j]);
        }
    }
    // encoder: lengths 4 -> 4 -> 2 -> 1 -> 1
    int length = d::n_steps;
    for (int i = 0; i < d::n_layers; ++i) {
        const int l_out = (length + 2 - d::kernel) / d::conv_stride[i] + 1;
        s.b.resize(static_cast<size_t>(n_frames) * l_out * d::conv_out[i]);
        conv_relu(s.a.data(), n_frames, length, d::conv_in[i], d::conv_stride[i], k.conv[i], w_.conv_b[i].data(), s.b.data(), s.cols, path_);
        std::swap(s.a, s.b);
        length = l_out;
    }
    // the LSTM's input products for every frame at once, both biases added
    gemm_epilogue ep;
    ep.bias = lstm_bias_.data();
    gemm_packed(n_frames, d::gates, d::hidden, s.a.data(), d::hidden, k.w_ih.panels.data(), gates_x, d::gates, ep, path_);
}

void silero_vad_model::recur(float * gates_x, int n_frames, silero_vad_state & state, float * out) const {
    const matrix_view w_hh{kernels_->w_hh.data(), dtype::f32, d::gates, d::hidden};
    gemm_epilogue accumulate;
    accumulate.accumulate = true;
    for (int f = 0; f < n_frames; ++f) {
        float * g = gates_x + static_cast<size_t>(f) * d::gates;
        gemv_rows(1, 0, d::gates, d::hidden, state.h, d::hidden, w_hh, g, d::gates, accumulate, path_);
        silero_lstm_update(g, state.c, state.h, path_);
        // dropout does nothing at inference; then ReLU, the 1x1 conv 128 -> 1 and the sigmoid
        float logit = w_.final_b;
        for (int j = 0; j < d::hidden; ++j) {
            logit += w_.final_w[j] * std::max(state.h[j], 0.0f);
        }
        out[f] = sigmoid(logit);
    }
}

void silero_vad_model::probabilities(const float * samples, size_t n, silero_vad_state & state, float * out, silero_vad_framing framing,
                                     int n_threads, bool (*should_stop)(const void *), const void * stop_arg) const {
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(samples[i])) {
            throw native_error(errc::invalid_audio, "sample " + std::to_string(i) + " is not finite");
        }
    }
    const size_t n_frames = (n + d::window - 1) / d::window;
    const size_t n_blocks = (n_frames + frames_per_block - 1) / frames_per_block;
    std::vector<float> gates_x[2];
    const auto block_frames = [&](size_t b) { return static_cast<int>(std::min<size_t>(frames_per_block, n_frames - b * frames_per_block)); };
    const auto tasks_of = [&](size_t b) { return b < n_blocks ? (block_frames(b) + frames_per_task - 1) / frames_per_task : 0; };
    const auto encode_task = [&](size_t b, int task) {
        const int f0 = task * frames_per_task;
        encode_frames(samples, n, b * frames_per_block + f0, std::min(frames_per_task, block_frames(b) - f0), state.context, framing,
                      gates_x[b % 2].data() + static_cast<size_t>(f0) * d::gates);
    };
    const int max_threads = std::max(1, n_threads);
    // a section of one task runs on this thread: a short streaming call should not wake the pool
    const auto run_tasks = [&](int n_tasks, const std::function<void(int)> & fn) {
        if (n_tasks == 1 || max_threads == 1) {
            for (int t = 0; t < n_tasks; ++t) {
                fn(t);
            }
        } else {
            pool_->parallel_for(n_tasks, max_threads, fn);
        }
    };
    if (n_blocks > 0) {
        gates_x[0].resize(static_cast<size_t>(frames_per_block) * d::gates);
        run_tasks(tasks_of(0), [&](int task) { encode_task(0, task); });
    }
    // the LSTM of block b (task 0) runs beside the encoder of block b + 1 (the other tasks)
    for (size_t b = 0; b < n_blocks; ++b) {
        if (should_stop != nullptr && should_stop(stop_arg)) {
            throw native_error(errc::aborted, "the VAD call was aborted");
        }
        gates_x[(b + 1) % 2].resize(static_cast<size_t>(frames_per_block) * d::gates);
        run_tasks(1 + tasks_of(b + 1), [&](int task) {
            if (task == 0) {
                recur(gates_x[b % 2].data(), block_frames(b), state, out + b * frames_per_block);
            } else {
                encode_task(b + 1, task - 1);
            }
        });
    }
    if (n_frames > 0) {
        // the next call's context: the last 64 samples of the last frame (zero-padded when partial)
        float chunk[d::window];
        frame_chunk(samples, n, n_frames - 1, chunk);
        std::copy(chunk + d::window - d::context, chunk + d::window, state.context);
    }
    for (size_t i = 0; i < n_frames; ++i) {
        if (!std::isfinite(out[i])) {
            throw native_error(errc::numeric, "the VAD computed a non-finite probability: the model's weights are corrupt");
        }
    }
}

} // namespace amanuensis

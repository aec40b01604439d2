// Silero VAD forward pass (see silero_vad_model.h), following the architecture of the
// 16 kHz branch of Silero VAD v5/v6: STFT magnitude, four Conv1d+ReLU, LSTMCell, ReLU, 1x1 conv, sigmoid.
#include "vad/silero_vad_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "kernels/gemm.h"

namespace amanuensis {

namespace d = silero_vad_dims;

namespace {

constexpr int padded_length = d::context + d::window + 64;  // 640: the STFT's input per frame
constexpr int frames_per_task = 32;                          // frames one encoder task computes
constexpr int frames_per_block = 1024;                       // frames between two LSTM runs (and abort checks)

// The widened weights as the kernels read them: 64-byte aligned copies.
aligned_buffer<float> aligned_copy(const std::vector<float> & v) {
    aligned_buffer<float> b(v.size());
    std::copy(v.begin(), v.end(), b.data());
    return b;
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// The 640 STFT input samples of frame g of `x` (n samples): see silero_vad_framing.
void frame_input(const float * x, size_t n, size_t g, const float * context, silero_vad_framing framing, float * p) {
    float chunk[d::window];
    const size_t start = g * d::window;
    const size_t take = std::min<size_t>(d::window, n - start);
    std::copy(x + start, x + start + take, chunk);
    std::fill(chunk + take, chunk + d::window, 0.0f);
    if (framing == silero_vad_framing::silero) {
        if (g == 0) {
            std::copy(context, context + d::context, p);
        } else {
            std::copy(x + start - d::context, x + start, p);  // the previous frame is whole
        }
        std::copy(chunk, chunk + d::window, p + d::context);
        // reflect padding (no edge repeat) of the 576 samples on the right: p[575 - 1 - j]
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
void conv_relu(const float * in, int n_frames, int l_in, int c_in, int c_out, int stride, const aligned_buffer<float> & w,
               const float * b, float * out, std::vector<float> & cols, kernel_path path) {
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
    gemm(rows, c_out, k_dim, cols.data(), k_dim, linear_weight(matrix_view{w.data(), dtype::f32, c_out, k_dim}), out, c_out, ep, path);
    for (size_t i = 0; i < static_cast<size_t>(rows) * c_out; ++i) {
        out[i] = std::max(out[i], 0.0f);
    }
}

} // namespace

struct silero_vad_kernels {
    aligned_buffer<float> basis, conv_w[d::n_layers], w_ih, w_hh;
};

silero_vad_model::silero_vad_model(silero_vad_weights weights, int n_threads, kernel_path path)
    : w_(std::move(weights)), path_(path), pool_(shared_thread_pool(n_threads)) {
    lstm_bias_.resize(d::gates);
    for (int i = 0; i < d::gates; ++i) {
        lstm_bias_[i] = w_.lstm_b_ih[i] + w_.lstm_b_hh[i];
    }
    kernels_ = std::make_shared<silero_vad_kernels>();
    kernels_->basis = aligned_copy(w_.stft_basis);
    for (int i = 0; i < d::n_layers; ++i) {
        kernels_->conv_w[i] = aligned_copy(w_.conv_w[i]);
    }
    kernels_->w_ih = aligned_copy(w_.lstm_w_ih);
    kernels_->w_hh = aligned_copy(w_.lstm_w_hh);
}

void silero_vad_model::encode_frames(const float * inputs, int n_frames, float * gates_x) const {
    const silero_vad_kernels & k = *kernels_;
    // STFT: each frame's 4 windows of 256 samples, 128 apart, times the 258 basis rows
    const int n_rows = n_frames * d::n_steps;
    std::vector<float> windows(static_cast<size_t>(n_rows) * d::n_fft);
    for (int f = 0; f < n_frames; ++f) {
        for (int t = 0; t < d::n_steps; ++t) {
            const float * src = inputs + static_cast<size_t>(f) * padded_length + t * d::hop;
            std::copy(src, src + d::n_fft, windows.data() + static_cast<size_t>(f * d::n_steps + t) * d::n_fft);
        }
    }
    std::vector<float> spectrum(static_cast<size_t>(n_rows) * 2 * d::n_bins);
    gemm(n_rows, 2 * d::n_bins, d::n_fft, windows.data(), d::n_fft,
         linear_weight(matrix_view{k.basis.data(), dtype::f32, 2 * d::n_bins, d::n_fft}), spectrum.data(), 2 * d::n_bins,
         gemm_epilogue{}, path_);
    std::vector<float> a(static_cast<size_t>(n_rows) * d::n_bins);
    for (int r = 0; r < n_rows; ++r) {
        const float * re = spectrum.data() + static_cast<size_t>(r) * 2 * d::n_bins;
        const float * im = re + d::n_bins;
        for (int j = 0; j < d::n_bins; ++j) {
            a[static_cast<size_t>(r) * d::n_bins + j] = std::sqrt(re[j] * re[j] + im[j] * im[j]);
        }
    }
    // encoder: lengths 4 -> 4 -> 2 -> 1 -> 1
    std::vector<float> b, cols;
    int length = d::n_steps;
    for (int i = 0; i < d::n_layers; ++i) {
        const int l_out = (length + 2 - d::kernel) / d::conv_stride[i] + 1;
        b.resize(static_cast<size_t>(n_frames) * l_out * d::conv_out[i]);
        conv_relu(a.data(), n_frames, length, d::conv_in[i], d::conv_out[i], d::conv_stride[i], k.conv_w[i], w_.conv_b[i].data(),
                  b.data(), cols, path_);
        std::swap(a, b);
        length = l_out;
    }
    // the LSTM's input products for every frame at once, both biases added
    gemm_epilogue ep;
    ep.bias = lstm_bias_.data();
    gemm(n_frames, d::gates, d::hidden, a.data(), d::hidden, linear_weight(matrix_view{k.w_ih.data(), dtype::f32, d::gates, d::hidden}),
         gates_x, d::gates, ep, path_);
}

void silero_vad_model::recur(float * gates_x, int n_frames, silero_vad_state & state, float * out) const {
    const matrix_view w_hh{kernels_->w_hh.data(), dtype::f32, d::gates, d::hidden};
    gemm_epilogue accumulate;
    accumulate.accumulate = true;
    alignas(64) float h[d::hidden];
    std::copy(state.h, state.h + d::hidden, h);
    for (int f = 0; f < n_frames; ++f) {
        float * g = gates_x + static_cast<size_t>(f) * d::gates;
        gemv_rows(1, 0, d::gates, d::hidden, h, d::hidden, w_hh, g, d::gates, accumulate, path_);
        // gate order of PyTorch's LSTMCell: input, forget, cell, output
        float logit = w_.final_b;
        for (int j = 0; j < d::hidden; ++j) {
            const float c = sigmoid(g[d::hidden + j]) * state.c[j] + sigmoid(g[j]) * std::tanh(g[2 * d::hidden + j]);
            state.c[j] = c;
            h[j] = sigmoid(g[3 * d::hidden + j]) * std::tanh(c);
            logit += w_.final_w[j] * std::max(h[j], 0.0f);
        }
        out[f] = sigmoid(logit);
    }
    std::copy(h, h + d::hidden, state.h);
}

void silero_vad_model::probabilities(const float * samples, size_t n, silero_vad_state & state, float * out, silero_vad_framing framing,
                                     int n_threads, bool (*should_stop)(const void *), const void * stop_arg) const {
    const size_t n_frames = (n + d::window - 1) / d::window;
    std::vector<float> inputs(static_cast<size_t>(frames_per_block) * padded_length);
    std::vector<float> gates_x(static_cast<size_t>(frames_per_block) * d::gates);
    for (size_t first = 0; first < n_frames; first += frames_per_block) {
        if (should_stop != nullptr && should_stop(stop_arg)) {
            throw native_error(errc::aborted, "the VAD call was aborted");
        }
        const int count = static_cast<int>(std::min<size_t>(frames_per_block, n_frames - first));
        for (int f = 0; f < count; ++f) {
            frame_input(samples, n, first + f, state.context, framing, inputs.data() + static_cast<size_t>(f) * padded_length);
        }
        const int n_tasks = (count + frames_per_task - 1) / frames_per_task;
        pool_->parallel_for(n_tasks, std::max(1, n_threads), [&](int task) {
            const int f0 = task * frames_per_task;
            encode_frames(inputs.data() + static_cast<size_t>(f0) * padded_length, std::min(frames_per_task, count - f0),
                          gates_x.data() + static_cast<size_t>(f0) * d::gates);
        });
        recur(gates_x.data(), count, state, out + first);
    }
    if (n_frames > 0) {
        // the next call's context: the last 64 samples of the last frame (zero-padded when partial)
        const float * last = inputs.data() + static_cast<size_t>((n_frames - 1) % frames_per_block) * padded_length;
        const int offset = framing == silero_vad_framing::silero ? d::context : 64;
        std::copy(last + offset + d::window - d::context, last + offset + d::window, state.context);
    }
    for (size_t i = 0; i < n_frames; ++i) {
        if (!std::isfinite(out[i])) {
            throw native_error(errc::numeric, "the VAD computed a non-finite probability: the model's weights are corrupt");
        }
    }
}

} // namespace amanuensis

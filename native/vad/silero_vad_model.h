// A loaded Silero VAD model and its forward pass: one speech probability per 512-sample frame
// of 16 kHz audio. No Node-API types.
//
// Per call, the STFT and the convolutional encoder of every frame are independent of each other
// given the samples, so they run as GEMMs over blocks of frames, split over the thread pool;
// only the LSTM runs frame after frame, its input products precomputed for the block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/aligned_buffer.h"
#include "kernels/tensor_view.h"
#include "vad/silero_vad_file.h"

namespace amanuensis {

// How each frame's model input is formed.
enum class silero_vad_framing {
    // Silero's own (the TorchScript model, utils_vad.py's OnnxWrapper, faster-whisper): the 64 samples
    // before the frame, then the frame, reflect-padded by 64 on the right.
    silero,
    // whisper.cpp's whisper_vad_detect_speech: no context; the frame reflect-padded by 64 on both sides.
    whisper_cpp,
};

// What carries from one call to the next in a stream: LSTM state and the last 64 samples.
struct silero_vad_state {
    float h[silero_vad_dims::hidden] = {};
    float c[silero_vad_dims::hidden] = {};
    float context[silero_vad_dims::context] = {};
    static constexpr size_t n_floats = 2 * silero_vad_dims::hidden + silero_vad_dims::context;
};

struct silero_vad_kernels;

class silero_vad_model {
public:
    silero_vad_model(silero_vad_weights weights, int n_threads, kernel_path path);

    // Probabilities of the ceil(n / 512) frames of `samples` (the last partial frame zero-padded),
    // written to out[0 .. ceil(n / 512)), starting from `state` and leaving it as the next call
    // needs it. `n_threads` (1 to the pool's) split the encoder; `should_stop` is polled between
    // blocks of frames (returns true: the call throws ERR_ABORTED). Throws ERR_INVALID_AUDIO for a
    // sample that is NaN or infinite, ERR_NUMERIC if a probability is not finite.
    void probabilities(const float * samples, size_t n, silero_vad_state & state, float * out, silero_vad_framing framing,
                       int n_threads, bool (*should_stop)(const void *), const void * stop_arg) const;

    const silero_vad_weights & weights() const { return w_; }
    int n_threads() const { return pool_->n_threads(); }
    kernel_path path() const { return path_; }

private:
    // Frames [first, first + n_frames) of x (n samples) -> the LSTM's input products [n_frames, 512]
    // (both biases added): framing, STFT magnitude, the four convolutions, the input GEMM.
    void encode_frames(const float * x, size_t n, size_t first, int n_frames, const float * context, silero_vad_framing framing,
                       float * gates_x) const;
    // The recurrent part, one frame after another: gates_x gains the hidden products in place.
    void recur(float * gates_x, int n_frames, silero_vad_state & state, float * out) const;

    silero_vad_weights w_;
    std::shared_ptr<silero_vad_kernels> kernels_;  // the weights packed for the GEMMs, and W_hh aligned
    std::vector<float> lstm_bias_;  // b_ih + b_hh
    kernel_path path_;
    std::shared_ptr<thread_pool> pool_;
};

} // namespace amanuensis

// The Whisper log-mel spectrogram on the CPU kernels, as openai/whisper audio.py
// log_mel_spectrogram: periodic Hann window of 400 samples, hop 160, centred frames with
// reflect padding, the last frame dropped, power spectrum, mel filterbank, log10 clamped at
// 1e-10, floored at max - 8, then (x + 4) / 4. The 400-point real DFT of all frames is done as
// two GEMMs against cosine and sine bases (the frame's even and odd parts); frames lying wholly
// in the zero padding are not computed.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/tensor_view.h"
#include "thread_pool.h"

namespace amanuensis {

constexpr int MEL_N_FFT = 400;
constexpr int MEL_HOP = 160;
constexpr int MEL_N_FREQ = MEL_N_FFT / 2 + 1;

// Frames [first_frame, first_frame + n_frames) of the spectrogram of n_samples samples followed
// by `padding` zeros, from a slice of the samples: the whole spectrogram (every frame, the
// slice the whole signal, log_max NaN), or one window at a time for long audio in bounded
// memory. The dynamic-range floor is log_max - 8 (openai's max over the whole spectrogram), or
// this range's own maximum when log_max is NaN. filters: [n_mels, MEL_N_FREQ]. Returns the
// range's maximum of the log10 values (silent frames count as log10(1e-10)); writes out
// [n_mels, n_frames] row-major unless out is null. Throws ERR_INVALID_ARGUMENT when the range
// lies outside the signal or the slice does not hold the samples it reads.
struct log_mel_request {
    const float * slice = nullptr;  // samples [slice_offset, slice_offset + slice_len)
    int64_t slice_offset = 0;
    int64_t slice_len = 0;
    int64_t n_samples = 0;          // samples of the whole signal
    int64_t padding = 0;            // zeros appended to it
    int64_t first_frame = 0;
    int64_t n_frames = 0;
    float log_max = NAN;
};
float log_mel_range(thread_pool & pool, int n_threads, kernel_path path, const log_mel_request & req, const float * filters,
                    int n_mels, float * out);

} // namespace amanuensis

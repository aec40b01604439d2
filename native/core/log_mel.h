// The Whisper log-mel spectrogram on the CPU kernels, as openai/whisper audio.py
// log_mel_spectrogram: periodic Hann window of 400 samples, hop 160, centred frames with
// reflect padding, the last frame dropped, power spectrum, mel filterbank, log10 clamped at
// 1e-10, floored at max - 8, then (x + 4) / 4. The 400-point real DFT of all frames is done as
// two GEMMs against cosine and sine bases (the frame's even and odd parts); frames lying wholly
// in the zero padding are not computed.
#pragma once

#include <cstdint>

#include "kernels/tensor_view.h"
#include "thread_pool.h"

namespace amanuensis {

constexpr int MEL_N_FFT = 400;
constexpr int MEL_HOP = 160;
constexpr int MEL_N_FREQ = MEL_N_FFT / 2 + 1;

// samples: n_samples values; `padding` zeros are appended before the STFT.
// filters: [n_mels, MEL_N_FREQ]. out: [n_mels, (n_samples + padding) / MEL_HOP] row-major.
void log_mel_spectrogram(thread_pool & pool, int n_threads, kernel_path path, const float * samples, int64_t n_samples,
                         int64_t padding, const float * filters, int n_mels, float * out);

} // namespace amanuensis

// Reader of whisper.cpp's GGML Silero VAD files (models/convert-silero-vad-to-ggml.py): magic,
// model type, version, hyperparameters, then tensor records to the end of the file. Every
// length is checked against the bytes left and every tensor against the one architecture the
// forward pass computes, so a damaged or foreign file gives a typed native_error, never an
// out-of-bounds read. No Node-API types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace amanuensis {

// The Silero VAD weights in f32 (f16 tensors widened once here), in PyTorch row-major order.
struct silero_vad_weights {
    std::string model_type;              // "silero-16k"
    int32_t version[3] = {0, 0, 0};      // major, minor, patch (5.1.2, 6.2.0)
    bool legacy_stft_shape = false;      // basis stored as ne [258, 1, 256] (whisper.cpp's first v5.1.2 files)
    std::vector<float> stft_basis;       // [258, 256]: 129 real rows, then 129 imaginary rows
    std::vector<float> conv_w[4];        // [out, in * 3]
    std::vector<float> conv_b[4];        // [out]
    std::vector<float> lstm_w_ih;        // [512, 128]
    std::vector<float> lstm_w_hh;        // [512, 128]
    std::vector<float> lstm_b_ih;        // [512]
    std::vector<float> lstm_b_hh;        // [512]
    std::vector<float> final_w;          // [128]
    float final_b = 0.0f;
};

// The architecture every supported file must describe (Silero VAD v5 and v6, 16 kHz branch).
namespace silero_vad_dims {
constexpr int window = 512;              // new samples per frame
constexpr int context = 64;              // samples of the previous frame prepended
constexpr int n_fft = 256;               // STFT kernel
constexpr int hop = 128;                 // STFT stride
constexpr int n_bins = 129;              // n_fft / 2 + 1
constexpr int n_steps = 4;               // STFT time steps per frame: (576 + 64 - 256) / 128 + 1
constexpr int n_layers = 4;
constexpr int conv_in[n_layers] = {129, 128, 64, 64};
constexpr int conv_out[n_layers] = {128, 64, 64, 128};
constexpr int conv_stride[n_layers] = {1, 2, 2, 1};
constexpr int kernel = 3;
constexpr int hidden = 128;              // LSTM input and hidden size
constexpr int gates = 4 * hidden;
} // namespace silero_vad_dims

// Parses and validates a whole file held in memory. Throws native_error with ERR_MODEL_BAD_MAGIC,
// ERR_MODEL_TRUNCATED, ERR_MODEL_BAD_HPARAMS, ERR_MODEL_TENSOR_SHAPE, ERR_MODEL_UNKNOWN_TENSOR_TYPE,
// ERR_MODEL_UNSUPPORTED_TENSOR_TYPE, ERR_MODEL_DUPLICATE_TENSOR, ERR_MODEL_NO_TENSORS or
// ERR_MODEL_MISSING_TENSOR, and ERR_NUMERIC for a weight that is NaN or infinite.
silero_vad_weights silero_vad_parse(const uint8_t * data, size_t size);

// Reads the file at `path` (ERR_MODEL_NOT_FOUND when it is not a file or cannot be read) and parses it;
// a file over 4 MiB is refused after its header (ERR_MODEL_TENSOR_SHAPE when the header is a VAD's).
silero_vad_weights silero_vad_read_file(const std::string & path);

} // namespace amanuensis

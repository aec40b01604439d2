// The loaded weights of one Whisper model in aligned native memory, as named in
// whisper.cpp's GGML files. No Node-API types: the addon layer fills a model_source.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/aligned_buffer.h"
#include "kernels/tensor_view.h"
#include "core/scratch_pool.h"
#include "core/thread_pool.h"
#include "core/workspace.h"

namespace amanuensis {

// The 11 hyperparameters of a GGML Whisper file, in file order.
struct whisper_hparams {
    int32_t n_vocab = 0;
    int32_t n_audio_ctx = 0;
    int32_t n_audio_state = 0;
    int32_t n_audio_head = 0;
    int32_t n_audio_layer = 0;
    int32_t n_text_ctx = 0;
    int32_t n_text_state = 0;
    int32_t n_text_head = 0;
    int32_t n_text_layer = 0;
    int32_t n_mels = 0;
    int32_t ftype = 0;
};

// One tensor of the file as located by the TypeScript loader.
struct tensor_record {
    std::string name;
    int32_t type = 0;                // ggml_type: 0 = F32, 1 = F16
    std::vector<int64_t> ne;         // ggml order: ne[0] varies fastest
    uint64_t offset = 0;             // byte offset of the data in the file
    uint64_t nbytes = 0;
};

// Where the weights come from: the whole file in memory, or a file read tensor by tensor.
struct model_source {
    whisper_hparams hparams;
    const uint8_t * file = nullptr;  // the whole file in memory, or nullptr to read `path`
    std::string path;                // read with pread when `file` is null
    uint64_t file_size = 0;
    std::vector<tensor_record> tensors;
};

struct linear_layer {
    matrix_view w;                   // [out, in]
    const float * b = nullptr;       // [out] or nullptr
};

struct norm_layer {
    const float * g = nullptr;       // [n]
    const float * b = nullptr;       // [n]
};

struct encoder_layer {
    norm_layer attn_ln;
    linear_layer qkv;                // query, key, value weights stacked: [3 * n_state, n_state]
    linear_layer out;
    norm_layer mlp_ln;
    linear_layer mlp0;               // [4 * n_state, n_state]
    linear_layer mlp2;               // [n_state, 4 * n_state]
};

struct decoder_layer {
    norm_layer attn_ln;
    linear_layer qkv;                // stacked like the encoder's
    linear_layer out;
    norm_layer cross_ln;
    linear_layer cross_q;
    linear_layer cross_k;            // no bias, as in openai/whisper model.py
    linear_layer cross_v;
    linear_layer cross_out;
    norm_layer mlp_ln;
    linear_layer mlp0;
    linear_layer mlp2;
};

struct cross_cache_pool;  // decoder_step.h

struct whisper_model {
    whisper_hparams hparams;
    kernel_path path = kernel_path::portable;

    matrix_view conv1_w;             // [n_audio_state, n_mels * 3], index c * 3 + k
    const float * conv1_b = nullptr;
    matrix_view conv2_w;             // [n_audio_state, n_audio_state * 3]
    const float * conv2_b = nullptr;
    const float * enc_pos = nullptr; // [n_audio_ctx, n_audio_state]
    std::vector<encoder_layer> enc_layers;
    norm_layer ln_post;

    matrix_view tok_emb;             // [n_vocab, n_text_state]
    const float * dec_pos = nullptr; // [n_text_ctx, n_text_state]
    std::vector<decoder_layer> dec_layers;
    norm_layer dec_ln;

    std::shared_ptr<thread_pool> pool;  // the process-wide pool (shared_thread_pool)
    int n_threads = 1;                  // threads this model's calls may use at most
    aligned_buffer<uint8_t> arena;   // owns every weight above
    // scratch of encodes and decoder steps, reused across calls (leased per call)
    mutable scratch_pool<encoder_workspace> encoder_scratch;
    mutable scratch_pool<decoder_workspace> decoder_scratch;
    // a released window's cross-attention keys and values, kept for the next window (decoder_step.cc)
    std::shared_ptr<cross_cache_pool> cross_caches;
    uint64_t weight_bytes = 0;
};

// Validates the source against its hparams (presence, shapes, types, byte ranges) and copies
// the weights into the model's arena. Throws native_error; never reads outside the file.
std::shared_ptr<whisper_model> whisper_model_create(const model_source & source, int n_threads, kernel_path path);

} // namespace amanuensis

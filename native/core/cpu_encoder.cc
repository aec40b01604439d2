#include "cpu_encoder.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "kernels/ops.h"
#include "parallel_ops.h"

namespace amanuensis {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// cols[t, c * 3 + k] = x(c, stride * t + k - 1), zero outside [0, n_in): the kernel-3,
// padding-1 convolution as one GEMM. x(c, t) = x[c * ldc_c + t * ld_t].
void im2col_k3(thread_pool & pool, int n_threads, const float * x, int64_t ld_c, int64_t ld_t, int n_channels,
               int n_in, int stride, int n_out, float * cols) {
    const int64_t width = static_cast<int64_t>(n_channels) * 3;
    parallel_chunks(pool, n_threads, n_out, 64, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            float * row = cols + t * width;
            for (int k = 0; k < 3; ++k) {
                const int src = stride * t + k - 1;
                if (src < 0 || src >= n_in) {
                    for (int c = 0; c < n_channels; ++c) {
                        row[c * 3 + k] = 0.0f;
                    }
                } else {
                    for (int c = 0; c < n_channels; ++c) {
                        row[c * 3 + k] = x[c * ld_c + src * ld_t];
                    }
                }
            }
        }
    });
}

// Between two stages: stop if the caller has aborted (a block of a large model takes tens of ms).
void check_abort(const encode_options & options) {
    if (options.abort != nullptr && options.abort->load(std::memory_order_relaxed)) {
        throw native_error(errc::aborted, "the encode was aborted");
    }
}

} // namespace

void whisper_encode(const whisper_model & model, const float * mel, int n_mels, int n_frames, float * out,
                    const encode_options & options) {
    const int n_threads = options.n_threads;
    encoder_timings * timings = options.timings;
    const whisper_hparams & hp = model.hparams;
    if (n_mels != hp.n_mels || n_frames != 2 * hp.n_audio_ctx) {
        throw native_error(errc::invalid_argument, "the encoder takes a log-mel window of [" + std::to_string(hp.n_mels) +
                                                       ", " + std::to_string(2 * hp.n_audio_ctx) + "], got [" +
                                                       std::to_string(n_mels) + ", " + std::to_string(n_frames) + "]");
    }
    thread_pool & pool = *model.pool;
    const kernel_path path = model.path;
    const int n_ctx = hp.n_audio_ctx;
    const int n_state = hp.n_audio_state;
    const int n_head = hp.n_audio_head;

    // the activations live in a workspace that outlives the call (see workspace.h)
    scratch_pool<encoder_workspace>::lease leased;
    if (options.workspace == nullptr) {
        leased = model.encoder_scratch.acquire();
    }
    encoder_workspace & ws = options.workspace != nullptr ? *options.workspace : *leased;
    const size_t scratch_size = std::max({static_cast<size_t>(n_frames) * n_mels * 3,   // conv1 im2col [n_frames, 3 n_mels]
                                          static_cast<size_t>(n_ctx) * n_state * 3,     // conv2 im2col and QKV [n_ctx, 3 n_state]
                                          static_cast<size_t>(n_ctx) * n_state * 4});   // MLP hidden [n_ctx, 4 n_state]
    aligned_buffer<float> & scratch = ws.scratch;
    aligned_buffer<float> & h1 = ws.h1;
    aligned_buffer<float> & x = ws.x;
    aligned_buffer<float> & h = ws.h;
    scratch.reserve(scratch_size);
    h1.reserve(static_cast<size_t>(n_frames) * n_state);
    x.reserve(static_cast<size_t>(n_ctx) * n_state);
    h.reserve(static_cast<size_t>(n_ctx) * n_state);
    float * cols = scratch.data();
    float * qkv = scratch.data();
    float * mlp = scratch.data();
    float * attn = h1.data();

    auto t0 = std::chrono::steady_clock::now();
    im2col_k3(pool, n_threads, mel, n_frames, 1, n_mels, n_frames, 1, n_frames, cols);
    parallel_linear(pool, n_threads, n_frames, cols, 3 * n_mels, model.conv1_w, h1.data(), n_state,
                    gemm_epilogue{model.conv1_b, true, false}, path);
    im2col_k3(pool, n_threads, h1.data(), 1, n_state, n_state, n_frames, 2, n_ctx, cols);
    std::memcpy(x.data(), model.enc_pos, sizeof(float) * n_ctx * n_state);
    // x = pos + GELU(conv2): the GELU must come before the sum, so write into h and add
    parallel_linear(pool, n_threads, n_ctx, cols, 3 * n_state, model.conv2_w, h.data(), n_state,
                    gemm_epilogue{model.conv2_b, true, false}, path);
    for (int64_t i = 0; i < static_cast<int64_t>(n_ctx) * n_state; ++i) {
        x.data()[i] += h.data()[i];
    }
    if (timings != nullptr) {
        timings->conv_ms = ms_since(t0);
        timings->layer_ms.clear();
    }
    check_abort(options);

    attention_args args;
    args.q = qkv;
    args.k = qkv + n_state;
    args.v = qkv + 2 * n_state;
    args.ldq = args.ldk = args.ldv = 3 * n_state;
    args.o = attn;
    args.ldo = n_state;
    args.n_q = args.n_kv = n_ctx;
    args.n_head = n_head;
    args.d_head = n_state / n_head;

    auto project = [&](int M, const float * A, int64_t lda, const linear_layer & w, float * C, int64_t ldc,
                       const gemm_epilogue & ep) {
        if (options.projection != nullptr) {
            options.projection->linear(M, A, lda, w.w, C, ldc, ep);
        } else {
            parallel_linear(pool, n_threads, M, A, lda, w.w, C, ldc, ep, path);
        }
    };
    if (options.layer_outputs != nullptr) {
        options.layer_outputs->clear();
    }

    for (const encoder_layer & l : model.enc_layers) {
        t0 = std::chrono::steady_clock::now();
        layer_norm_rows(n_ctx, n_state, x.data(), n_state, h.data(), n_state, l.attn_ln.g, l.attn_ln.b, 1e-5f);
        project(n_ctx, h.data(), n_state, l.qkv, qkv, 3 * n_state, gemm_epilogue{l.qkv.b, false, false});
        parallel_attention(pool, n_threads, &args, 1, path);
        project(n_ctx, attn, n_state, l.out, x.data(), n_state, gemm_epilogue{l.out.b, false, true});

        layer_norm_rows(n_ctx, n_state, x.data(), n_state, h.data(), n_state, l.mlp_ln.g, l.mlp_ln.b, 1e-5f);
        project(n_ctx, h.data(), n_state, l.mlp0, mlp, 4 * n_state, gemm_epilogue{l.mlp0.b, true, false});
        project(n_ctx, mlp, 4 * n_state, l.mlp2, x.data(), n_state, gemm_epilogue{l.mlp2.b, false, true});
        if (options.layer_outputs != nullptr) {
            options.layer_outputs->emplace_back(x.data(), x.data() + static_cast<size_t>(n_ctx) * n_state);
        }
        if (timings != nullptr) {
            timings->layer_ms.push_back(ms_since(t0));
        }
        check_abort(options);
    }

    t0 = std::chrono::steady_clock::now();
    layer_norm_rows(n_ctx, n_state, x.data(), n_state, out, n_state, model.ln_post.g, model.ln_post.b, 1e-5f);
    // a NaN or infinite weight spreads to every feature; decoding them would give garbage
    // text with NaN scores that no threshold catches
    if (!all_finite(out, static_cast<int64_t>(n_ctx) * n_state)) {
        throw native_error(errc::numeric, "the encoder computed non-finite audio features (NaN or Infinity): the model's weights are corrupt");
    }
    if (timings != nullptr) {
        timings->ln_post_ms = ms_since(t0);
    }
}

} // namespace amanuensis

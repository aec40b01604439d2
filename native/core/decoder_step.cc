#include "decoder_step.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/fp16.h"
#include "kernels/gemm.h"
#include "kernels/ops.h"
#include "kernels/quant.h"
#include "parallel_ops.h"

namespace amanuensis {

namespace {

int64_t cache_stride_layer(const whisper_hparams & hp, int n_seq) {
    return static_cast<int64_t>(n_seq) * hp.n_text_ctx * hp.n_text_state;
}

void embed_token(const whisper_model & m, int32_t token, int position, float * dst) {
    const int n = m.hparams.n_text_state;
    const float * pos = m.dec_pos + static_cast<int64_t>(position) * n;
    const int64_t base = static_cast<int64_t>(token) * n;
    if (is_quantized(m.tok_emb.type)) {
        weight_row_f32(m.tok_emb, token, 0, n, dst, m.path);
        for (int i = 0; i < n; ++i) {
            dst[i] += pos[i];
        }
    } else if (m.tok_emb.type == dtype::f16) {
        for (int i = 0; i < n; ++i) {
            dst[i] = load_fp16(m.tok_emb.data, base + i) + pos[i];
        }
    } else {
        const float * e = static_cast<const float *>(m.tok_emb.data) + base;
        for (int i = 0; i < n; ++i) {
            dst[i] = e[i] + pos[i];
        }
    }
}

// f32 -> f16 with round-to-nearest-even on either kernel path.
void narrow(const float * src, uint16_t * dst, int64_t n, kernel_path path) {
    if (path != kernel_path::portable) {
        simd::narrow_fp16(src, dst, n);
        return;
    }
    for (int64_t i = 0; i < n; ++i) {
        dst[i] = fp32_to_fp16(src[i]);
    }
}

// The weights of the capture's heads that belong to layer `il`: this layer's cross-attention
// queries (from its arguments `a`) against each head's kept f32 keys, one head per task.
void capture_cross_weights(const decoder_step_request & r, const attention_args & a, int il, thread_pool & pool, int n_threads,
                           kernel_path path) {
    if (r.capture == nullptr) {
        return;
    }
    const cross_attention_capture & c = *r.capture;
    const whisper_hparams & hp = r.state->model->hparams;
    const cross_cache & window = *r.state->cross;
    const int64_t per_head = static_cast<int64_t>(r.n_new) * c.n_positions;
    std::vector<int> in_layer;  // indices into c.heads
    for (int i = 0; i < c.n_heads; ++i) {
        if (c.heads[2 * i] == il) in_layer.push_back(i);
    }
    parallel_chunks(pool, n_threads, static_cast<int64_t>(in_layer.size()), 1, [&](int64_t j0, int64_t j1) {
        for (int64_t j = j0; j < j1; ++j) {
            const int i = in_layer[j];
            const int head = c.heads[2 * i + 1];
            attention_args keys32 = a;
            keys32.k = window.f32_keys(hp, il, head);  // present: decoder_step_check
            keys32.ldk = a.d_head;
            keys32.kv_head_stride = 0;  // the slot is this head's alone
            keys32.kv_type = dtype::f32;
            attention_weights(keys32, head, c.n_positions, c.out + i * per_head, path);
        }
    });
}

} // namespace

std::unique_ptr<decoder_state> decoder_state_create(std::shared_ptr<whisper_model> model, int n_seq) {
    if (n_seq < 1 || n_seq > 64) {
        throw native_error(errc::invalid_argument, "a decoder holds 1 to 64 sequences, got " + std::to_string(n_seq));
    }
    auto st = std::make_unique<decoder_state>();
    const whisper_hparams & hp = model->hparams;
    st->n_seq = n_seq;
    st->self_k.reserve(static_cast<size_t>(hp.n_text_layer) * cache_stride_layer(hp, n_seq));
    st->self_v.reserve(static_cast<size_t>(hp.n_text_layer) * cache_stride_layer(hp, n_seq));
    st->model = std::move(model);  // no window yet: decoder_set_features takes the model's idle one
    return st;
}

namespace {

// The model's idle window cache, or a new one; either returns to the pool when its last state
// lets go (unless the pool already holds one, or the model is gone).
std::shared_ptr<cross_cache> acquire_cross_cache(const whisper_model & m) {
    if (!m.cross_caches) {
        return std::make_shared<cross_cache>();
    }
    std::unique_ptr<cross_cache> c;
    {
        std::lock_guard<std::mutex> lock(m.cross_caches->mutex);
        c = std::move(m.cross_caches->idle);
    }
    if (!c) {
        c = std::make_unique<cross_cache>();
    }
    std::weak_ptr<cross_cache_pool> home = m.cross_caches;
    return std::shared_ptr<cross_cache>(c.release(), [home](cross_cache * released) {
        std::unique_ptr<cross_cache> owned(released);
        if (std::shared_ptr<cross_cache_pool> pool = home.lock()) {
            std::lock_guard<std::mutex> lock(pool->mutex);
            if (!pool->idle) {
                pool->idle = std::move(owned);
            }
        }
    });
}

} // namespace

const float * cross_cache::f32_keys(const whisper_hparams & hp, int layer, int head) const {
    for (size_t i = 0; i + 1 < f32_heads.size(); i += 2) {
        if (f32_heads[i] == layer && f32_heads[i + 1] == head) {
            return k32.data() + static_cast<int64_t>(i / 2) * hp.n_audio_ctx * (hp.n_text_state / hp.n_text_head);
        }
    }
    return nullptr;
}

void decoder_set_features(decoder_state & st, const float * features, int n_threads, const int32_t * f32_heads,
                          int n_f32_heads) {
    const whisper_model & m = *st.model;
    const whisper_hparams & hp = m.hparams;
    std::vector<int32_t> kept;  // (layer, head) pairs, each once
    for (int i = 0; i < n_f32_heads; ++i) {
        const int32_t layer = f32_heads[2 * i];
        const int32_t head = f32_heads[2 * i + 1];
        if (layer < 0 || layer >= hp.n_text_layer || head < 0 || head >= hp.n_text_head) {
            throw native_error(errc::invalid_argument, "head (" + std::to_string(layer) + ", " + std::to_string(head) +
                                                           ") is outside the decoder's " + std::to_string(hp.n_text_layer) +
                                                           " layers of " + std::to_string(hp.n_text_head) + " heads");
        }
        bool seen = false;
        for (size_t j = 0; j < kept.size(); j += 2) seen = seen || (kept[j] == layer && kept[j + 1] == head);
        if (!seen) {
            kept.push_back(layer);
            kept.push_back(head);
        }
    }
    const int64_t layer = static_cast<int64_t>(hp.n_audio_ctx) * hp.n_text_state;
    const size_t all = static_cast<size_t>(hp.n_text_layer) * layer;
    // this state's reference is dropped first, so that an unshared cache is reused in place (no
    // second window's worth of memory); a cache other states share is left to them and this state
    // gets a new one. No one else can take this state's cache meanwhile: shareFeatures refuses a
    // source that is running an operation.
    std::shared_ptr<cross_cache> c = std::atomic_exchange(&st.cross, std::shared_ptr<cross_cache>());
    st.has_features = false;  // until the new window is whole (an allocation can still fail)
    if (!c || c.use_count() > 1) {
        c = acquire_cross_cache(m);
    }
    c->k.reserve(all, true);  // written whole: huge pages (aligned_buffer.h)
    c->v.reserve(all, true);
    const int64_t n_ctx = hp.n_audio_ctx;
    const int64_t d_head = hp.n_text_state / hp.n_text_head;
    c->f32_heads = kept;
    // written whole: huge pages. A window without kept heads leaves the buffer to the next that has
    // them (a pooled cache serves windows with and without word timestamps alike).
    c->k32.reserve(kept.size() / 2 * static_cast<size_t>(n_ctx * d_head), true);
    scratch_pool<decoder_workspace>::lease ws = m.decoder_scratch.acquire();
    aligned_buffer<float> & product = ws->product;  // one layer's K or V in f32
    product.reserve(static_cast<size_t>(layer));
    // src [n_ctx, n_state] f32 -> dst [n_head, n_ctx, d_head] f16
    const auto to_cache = [&](const float * src, uint16_t * dst) {
        parallel_chunks(*m.pool, n_threads, n_ctx, 64, [&](int64_t t0, int64_t t1) {
            for (int64_t t = t0; t < t1; ++t) {
                for (int64_t h = 0; h < hp.n_text_head; ++h) {
                    narrow(src + t * hp.n_text_state + h * d_head, dst + (h * n_ctx + t) * d_head, d_head, m.path);
                }
            }
        });
    };
    // layer il's kept heads of K [n_ctx, n_state] f32 -> their k32 slots [n_ctx, d_head], in one
    // pass over the positions
    const auto keep_heads = [&](int il, const float * k) {
        std::vector<size_t> slots;  // indices of this layer's heads in kept / 2
        for (size_t i = 0; i < kept.size(); i += 2) {
            if (kept[i] == il) slots.push_back(i / 2);
        }
        if (slots.empty()) return;
        parallel_chunks(*m.pool, n_threads, n_ctx, 256, [&](int64_t t0, int64_t t1) {
            for (const size_t slot : slots) {
                const float * src = k + kept[2 * slot + 1] * d_head;
                float * dst = c->k32.data() + static_cast<int64_t>(slot) * n_ctx * d_head;
                for (int64_t t = t0; t < t1; ++t) {
                    std::memcpy(dst + t * d_head, src + t * hp.n_text_state, sizeof(float) * d_head);
                }
            }
        });
    };
    for (int il = 0; il < hp.n_text_layer; ++il) {
        const decoder_layer & l = m.dec_layers[il];
        float * kv = product.data();
        parallel_linear(*m.pool, n_threads, hp.n_audio_ctx, features, hp.n_audio_state, l.cross_k.w, kv, hp.n_text_state,
                        gemm_epilogue{}, m.path);
        to_cache(kv, c->k.data() + il * layer);
        keep_heads(il, kv);
        parallel_linear(*m.pool, n_threads, hp.n_audio_ctx, features, hp.n_audio_state, l.cross_v.w, kv, hp.n_text_state,
                        gemm_epilogue{l.cross_v.b, false, false}, m.path);
        to_cache(kv, c->v.data() + il * layer);
    }
    std::atomic_store(&st.cross, c);
    st.has_features = true;
    st.n_past = 0;
}

void decoder_share_features(decoder_state & dst, const decoder_state & src) {
    if (dst.released || src.released) {
        throw native_error(errc::closed, "this decoder has been released");
    }
    if (dst.model != src.model) {
        throw native_error(errc::invalid_argument, "decoders share features only within one model");
    }
    if (!src.has_features) {
        throw native_error(errc::invalid_argument, "the source decoder has no audio features");
    }
    std::atomic_store(&dst.cross, std::atomic_load(&src.cross));
    dst.has_features = true;
    dst.n_past = 0;
}

void decoder_step_check(const decoder_step_request & r) {
    if (r.state == nullptr || r.state->released) {
        throw native_error(errc::closed, "this decoder has been released");
    }
    const decoder_state & st = *r.state;
    const whisper_hparams & hp = st.model->hparams;
    if (!st.has_features) {
        throw native_error(errc::invalid_argument, "the decoder has no audio features: set them before stepping");
    }
    if (r.n_new < 1 || st.n_past + r.n_new > hp.n_text_ctx) {
        throw native_error(errc::context_overflow, "the decoder context holds " + std::to_string(hp.n_text_ctx) +
                                                       " tokens; " + std::to_string(st.n_past) + " used, " +
                                                       std::to_string(r.n_new) + " more requested");
    }
    const int rows = st.n_seq * r.n_new;
    for (int i = 0; i < rows; ++i) {
        if (r.tokens[i] < 0 || r.tokens[i] >= hp.n_vocab) {
            throw native_error(errc::invalid_argument, "token " + std::to_string(r.tokens[i]) + " is outside the vocabulary");
        }
    }
    if (r.n_pos < 1 || r.n_pos > r.n_new) {
        throw native_error(errc::invalid_argument, "a step returns logits for 1 to " + std::to_string(r.n_new) + " positions");
    }
    for (int i = 0; i < r.n_pos; ++i) {
        if (r.positions[i] < 0 || r.positions[i] >= r.n_new) {
            throw native_error(errc::invalid_argument, "logit position " + std::to_string(r.positions[i]) + " is outside the step");
        }
    }
    if (r.capture != nullptr) {
        const cross_attention_capture & c = *r.capture;
        if (st.n_seq != 1) {
            throw native_error(errc::invalid_argument, "cross-attention weights are captured for one-sequence decoders only");
        }
        if (c.n_heads < 1 || c.n_heads > hp.n_text_layer * hp.n_text_head || c.heads == nullptr || c.out == nullptr) {
            throw native_error(errc::invalid_argument, "capture 1 to " + std::to_string(hp.n_text_layer * hp.n_text_head) +
                                                           " cross-attention heads");
        }
        for (int i = 0; i < c.n_heads; ++i) {
            const int layer = c.heads[2 * i];
            const int head = c.heads[2 * i + 1];
            if (layer < 0 || layer >= hp.n_text_layer || head < 0 || head >= hp.n_text_head) {
                throw native_error(errc::invalid_argument, "alignment head (" + std::to_string(layer) + ", " + std::to_string(head) +
                                                               ") is not in this model's " + std::to_string(hp.n_text_layer) +
                                                               " layers of " + std::to_string(hp.n_text_head) + " heads");
            }
            if (st.cross->f32_keys(hp, layer, head) == nullptr) {
                throw native_error(errc::invalid_argument, "the decoder's window keeps no f32 keys of head (" + std::to_string(layer) +
                                                               ", " + std::to_string(head) + "): set its features with that head");
            }
        }
        if (c.n_positions < 1 || c.n_positions > hp.n_audio_ctx) {
            throw native_error(errc::invalid_argument, "audio positions must be 1 to " + std::to_string(hp.n_audio_ctx) + ", got " +
                                                           std::to_string(c.n_positions));
        }
    }
}

int decoder_step_out_rows(const decoder_step_request & r) { return r.state->n_seq * r.n_pos; }

void decoder_step_batch(const decoder_step_request * requests, int n_requests, float * out, int n_threads,
                        decoder_workspace & ws, int n_logits) {
    if (n_requests < 1) {
        throw native_error(errc::invalid_argument, "a batched step needs at least one decoder");
    }
    for (int r = 0; r < n_requests; ++r) {
        decoder_step_check(requests[r]);
        if (requests[r].state->model != requests[0].state->model) {
            throw native_error(errc::invalid_argument, "decoders stepped together must belong to one model");
        }
        for (int other = 0; other < r; ++other) {
            if (requests[other].state == requests[r].state) {
                throw native_error(errc::invalid_argument, "a decoder appears twice in one batched step");
            }
        }
    }
    const whisper_model & m = *requests[0].state->model;
    const whisper_hparams & hp = m.hparams;
    thread_pool & pool = *m.pool;
    if ((n_logits < 0 && n_logits != STEP_HIDDEN_ONLY) || n_logits > hp.n_vocab) {
        throw native_error(errc::invalid_argument, "a step returns logits of 1 to " + std::to_string(hp.n_vocab) + " ids");
    }
    // an alignment pass (a capture) keeps float32 activations: its attention weights and
    // probabilities follow openai's float32 model whatever the number of tokens
    bool capturing = false;
    for (int r = 0; r < n_requests; ++r) capturing = capturing || requests[r].capture != nullptr;
    const kernel_path path = capturing && m.path == kernel_path::simd512_int8 ? kernel_path::simd512 : m.path;
    const int n = hp.n_text_state;
    const int n_ctx = hp.n_text_ctx;

    // request r owns rows [row0[r], row0[r + 1]) of every activation: sequence-major, then block position
    std::vector<int> & row0 = ws.row0;
    row0.assign(n_requests + 1, 0);
    int n_seq_total = 0;
    for (int r = 0; r < n_requests; ++r) {
        row0[r + 1] = row0[r] + requests[r].state->n_seq * requests[r].n_new;
        n_seq_total += requests[r].state->n_seq;
    }
    const int rows = row0[n_requests];

    aligned_buffer<float> & x = ws.x;      // residual stream [rows, n]
    aligned_buffer<float> & h = ws.h;      // normed input [rows, n]
    aligned_buffer<float> & qkv = ws.qkv;  // [rows, 3n]
    aligned_buffer<float> & q = ws.q;      // cross-attention queries [rows, n]
    aligned_buffer<float> & o = ws.o;      // attention output [rows, n]
    aligned_buffer<float> & mlp = ws.mlp;  // [rows, 4n]
    x.reserve(static_cast<size_t>(rows) * n);
    h.reserve(static_cast<size_t>(rows) * n);
    qkv.reserve(static_cast<size_t>(rows) * 3 * n);
    q.reserve(static_cast<size_t>(rows) * n);
    o.reserve(static_cast<size_t>(rows) * n);
    mlp.reserve(static_cast<size_t>(rows) * 4 * n);

    for (int r = 0; r < n_requests; ++r) {
        const decoder_step_request & req = requests[r];
        for (int i = 0; i < req.state->n_seq * req.n_new; ++i) {
            embed_token(m, req.tokens[i], req.state->n_past + i % req.n_new, x.data() + static_cast<int64_t>(row0[r] + i) * n);
        }
    }

    std::vector<attention_args> & self_args = ws.self_args;
    std::vector<attention_args> & cross_args = ws.cross_args;
    self_args.assign(n_seq_total, attention_args{});
    cross_args.assign(n_requests, attention_args{});
    const int64_t cross_layer = static_cast<int64_t>(hp.n_audio_ctx) * n;
    for (int il = 0; il < hp.n_text_layer; ++il) {
        const decoder_layer & l = m.dec_layers[il];

        layer_norm_rows(rows, n, x.data(), n, h.data(), n, l.attn_ln.g, l.attn_ln.b, 1e-5f);
        parallel_linear(pool, n_threads, rows, h.data(), n, l.qkv.w, qkv.data(), 3 * n, gemm_epilogue{l.qkv.b, false, false},
                        path);
        int a_index = 0;
        for (int r = 0; r < n_requests; ++r) {
            const decoder_step_request & req = requests[r];
            decoder_state & st = *req.state;
            uint16_t * k_cache = st.self_k.data() + il * cache_stride_layer(hp, st.n_seq);
            uint16_t * v_cache = st.self_v.data() + il * cache_stride_layer(hp, st.n_seq);
            for (int s = 0; s < st.n_seq; ++s) {
                const int first = row0[r] + s * req.n_new;
                uint16_t * ks = k_cache + static_cast<int64_t>(s) * n_ctx * n;
                uint16_t * vs = v_cache + static_cast<int64_t>(s) * n_ctx * n;
                for (int i = 0; i < req.n_new; ++i) {
                    const float * row = qkv.data() + static_cast<int64_t>(first + i) * 3 * n;
                    narrow(row + n, ks + static_cast<int64_t>(st.n_past + i) * n, n, path);
                    narrow(row + 2 * n, vs + static_cast<int64_t>(st.n_past + i) * n, n, path);
                }
                attention_args & a = self_args[a_index++];
                a.q = qkv.data() + static_cast<int64_t>(first) * 3 * n;
                a.ldq = 3 * n;
                a.k = ks;
                a.v = vs;
                a.ldk = a.ldv = n;
                a.kv_type = dtype::f16;
                if (req.capture != nullptr && st.n_past == 0) {
                    // the whole sequence is this block: its keys and values as computed, unrounded
                    a.k = a.q + n;
                    a.v = a.q + 2 * n;
                    a.ldk = a.ldv = 3 * n;
                    a.kv_type = dtype::f32;
                }
                a.o = o.data() + static_cast<int64_t>(first) * n;
                a.ldo = n;
                a.n_q = req.n_new;
                a.n_kv = st.n_past + req.n_new;
                a.n_head = hp.n_text_head;
                a.d_head = n / hp.n_text_head;
                a.causal_past = st.n_past;
            }
        }
        parallel_attention(pool, n_threads, self_args.data(), n_seq_total, path);
        parallel_linear(pool, n_threads, rows, o.data(), n, l.out.w, x.data(), n, gemm_epilogue{l.out.b, false, true}, path);

        layer_norm_rows(rows, n, x.data(), n, h.data(), n, l.cross_ln.g, l.cross_ln.b, 1e-5f);
        parallel_linear(pool, n_threads, rows, h.data(), n, l.cross_q.w, q.data(), n, gemm_epilogue{l.cross_q.b, false, false},
                        path);
        // all sequences of a state attend to the same audio: their queries go in one call, so a
        // window's cross-attention keys and values are read once per step, not once per sequence
        for (int r = 0; r < n_requests; ++r) {
            const decoder_state & st = *requests[r].state;
            attention_args & a = cross_args[r];
            a.q = q.data() + static_cast<int64_t>(row0[r]) * n;
            a.ldq = n;
            const cross_cache & c = *st.cross;
            a.k = c.k.data() + il * cross_layer;
            a.v = c.v.data() + il * cross_layer;
            a.ldk = a.ldv = n / hp.n_text_head;
            a.kv_head_stride = static_cast<int64_t>(hp.n_audio_ctx) * (n / hp.n_text_head);
            a.kv_type = dtype::f16;
            a.o = o.data() + static_cast<int64_t>(row0[r]) * n;
            a.ldo = n;
            a.n_q = row0[r + 1] - row0[r];
            a.n_kv = hp.n_audio_ctx;
            a.n_head = hp.n_text_head;
            a.d_head = n / hp.n_text_head;
            a.causal_past = -1;
        }
        parallel_attention(pool, n_threads, cross_args.data(), n_requests, path);
        for (int r = 0; r < n_requests; ++r) {
            capture_cross_weights(requests[r], cross_args[r], il, pool, n_threads, path);
        }
        parallel_linear(pool, n_threads, rows, o.data(), n, l.cross_out.w, x.data(), n,
                        gemm_epilogue{l.cross_out.b, false, true}, path);

        layer_norm_rows(rows, n, x.data(), n, h.data(), n, l.mlp_ln.g, l.mlp_ln.b, 1e-5f);
        parallel_linear(pool, n_threads, rows, h.data(), n, l.mlp0.w, mlp.data(), 4 * n, gemm_epilogue{l.mlp0.b, true, false},
                        path);
        parallel_linear(pool, n_threads, rows, mlp.data(), 4 * n, l.mlp2.w, x.data(), n, gemm_epilogue{l.mlp2.b, false, true},
                        path);
    }

    // only the requested positions go through the final norm and the vocabulary product
    int out_row = 0;
    for (int r = 0; r < n_requests; ++r) {
        const decoder_step_request & req = requests[r];
        for (int s = 0; s < req.state->n_seq; ++s) {
            for (int p = 0; p < req.n_pos; ++p) {
                const int64_t src = row0[r] + s * req.n_new + req.positions[p];
                layer_norm_rows(1, n, x.data() + src * n, n, h.data() + static_cast<int64_t>(out_row++) * n, n, m.dec_ln.g,
                                m.dec_ln.b, 1e-5f);
            }
        }
    }
    if (n_logits == STEP_HIDDEN_ONLY) {
        std::copy(h.data(), h.data() + static_cast<int64_t>(out_row) * n, out);
        for (int r = 0; r < n_requests; ++r) {
            requests[r].state->n_past += requests[r].n_new;
        }
        return;
    }
    // the first n_logits rows of the embedding (a prefix of a quantized matrix is whole rows too)
    const int vocab = n_logits > 0 ? n_logits : hp.n_vocab;
    const matrix_view embedding{m.tok_emb.data, m.tok_emb.type, vocab, m.tok_emb.cols};
    parallel_linear(pool, n_threads, out_row, h.data(), n, embedding, out, vocab, gemm_epilogue{}, path);
    if (!all_finite(out, static_cast<int64_t>(out_row) * vocab)) {
        throw native_error(errc::numeric, "the decoder computed non-finite logits (NaN or Infinity): the model's weights are corrupt");
    }
    for (int r = 0; r < n_requests; ++r) {
        requests[r].state->n_past += requests[r].n_new;
    }
}

void decoder_reorder(decoder_state & st, const int32_t * source) {
    const whisper_hparams & hp = st.model->hparams;
    for (int i = 0; i < st.n_seq; ++i) {
        if (source[i] < 0 || source[i] >= st.n_seq) {
            throw native_error(errc::invalid_argument, "reorder source " + std::to_string(source[i]) + " is not a sequence");
        }
    }
    bool identity = true;
    for (int i = 0; i < st.n_seq; ++i) {
        identity = identity && source[i] == i;
    }
    if (identity) {
        return;  // beam search keeps the order most steps: nothing moves
    }
    const int64_t seq = static_cast<int64_t>(hp.n_text_ctx) * hp.n_text_state;
    const size_t used = sizeof(uint16_t) * st.n_past * hp.n_text_state;
    aligned_buffer<uint16_t> & copy = st.reorder_scratch;  // one layer's caches, kept for the next reorder
    copy.reserve(static_cast<size_t>(st.n_seq) * seq);
    for (aligned_buffer<uint16_t> * cache : {&st.self_k, &st.self_v}) {
        for (int il = 0; il < hp.n_text_layer; ++il) {
            uint16_t * layer = cache->data() + il * cache_stride_layer(hp, st.n_seq);
            for (int i = 0; i < st.n_seq; ++i) {
                std::memcpy(copy.data() + i * seq, layer + source[i] * seq, used);
            }
            for (int i = 0; i < st.n_seq; ++i) {
                std::memcpy(layer + i * seq, copy.data() + i * seq, used);
            }
        }
    }
}

void decoder_release(decoder_state & st) {
    st.self_k = aligned_buffer<uint16_t>();
    st.self_v = aligned_buffer<uint16_t>();
    std::atomic_store(&st.cross, std::shared_ptr<cross_cache>());  // freed with the last state that shares it
    st.reorder_scratch = aligned_buffer<uint16_t>();
    st.has_features = false;
    st.released = true;
    st.model.reset();  // the weights are freed with the last user, not when this state is collected
}

} // namespace amanuensis

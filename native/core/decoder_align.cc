#include "decoder_align.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "alignment_matrix.h"
#include "parallel_ops.h"
#include "kernels/aligned_buffer.h"
#include "kernels/gemm.h"
#include "kernels/ops.h"

namespace amanuensis {

namespace {

// probabilities[positions[p]] = the softmax over ids [0, vocab) of hidden row p's logits, at the
// row's next token: the vocabulary product in blocks of up to LINEAR_BLOCK_MAX_ROWS rows, each
// thread's columns reduced to a running max and sum of exponentials per row, then combined.
void fused_text_probabilities(const whisper_model & m, const float * hidden, const std::vector<int32_t> & positions,
                              const int32_t * tokens, int vocab, float * probabilities, int n_threads) {
    const int n = m.hparams.n_text_state;
    const matrix_view embedding{m.tok_emb.data, m.tok_emb.type, vocab, m.tok_emb.cols};
    thread_pool & pool = *m.pool;
    const int threads = std::max(1, std::min(n_threads, pool.n_threads()));
    const int cols = row_block_task_columns(vocab, threads);
    const int n_tasks = (vocab + cols - 1) / cols;  // task t: columns [t * cols, (t + 1) * cols)
    const int n_pos = static_cast<int>(positions.size());
    aligned_buffer<float> at;  // the kernel's aligned loads need 64-byte alignment
    std::vector<float> maxes, sums, target_logit;
    std::vector<int32_t> targets;
    for (int r0 = 0; r0 < n_pos; r0 += LINEAR_BLOCK_MAX_ROWS) {
        const int rows = std::min(LINEAR_BLOCK_MAX_ROWS, n_pos - r0);
        targets.resize(rows);
        for (int j = 0; j < rows; ++j) targets[j] = tokens[positions[r0 + j] + 1];
        at.reserve(simd::linear_block_transposed_floats(rows, n));
        simd::linear_block_transpose(rows, n, hidden + static_cast<int64_t>(r0) * n, n, at.data());
        maxes.assign(static_cast<size_t>(n_tasks) * rows, 0.0f);
        sums.assign(static_cast<size_t>(n_tasks) * rows, 0.0f);
        target_logit.assign(rows, NAN);
        parallel_chunks(pool, threads, vocab, cols, [&](int64_t c0, int64_t c1) {
            const int64_t t = c0 / cols;
            simd::linear_block_logsumexp_512(rows, static_cast<int>(c0), static_cast<int>(c1), n, at.data(), embedding, targets.data(),
                                             maxes.data() + t * rows, sums.data() + t * rows, target_logit.data(),
                                             kernel_path::simd512);
        });
        for (int j = 0; j < rows; ++j) {
            float top = -INFINITY;
            for (int t = 0; t < n_tasks; ++t) top = std::max(top, maxes[static_cast<size_t>(t) * rows + j]);
            double z = 0.0;
            for (int t = 0; t < n_tasks; ++t) {
                const size_t at_tj = static_cast<size_t>(t) * rows + j;
                z += static_cast<double>(sums[at_tj]) * std::exp(static_cast<double>(maxes[at_tj]) - top);
            }
            const double p = std::exp(static_cast<double>(target_logit[j]) - top) / z;
            if (!std::isfinite(p) || !std::isfinite(z)) {
                throw native_error(errc::numeric, "the decoder computed non-finite logits (NaN or Infinity): the model's weights are corrupt");
            }
            probabilities[positions[r0 + j]] = static_cast<float>(p);
        }
    }
}

} // namespace

void decoder_align(decoder_state & st, const float * features, const alignment_request & r, float * weights, float * probabilities,
                   int n_threads) {
    if (st.released || !st.model) {
        throw native_error(errc::closed, "this decoder has been released");
    }
    const whisper_hparams & hp = st.model->hparams;
    if (r.n_tokens < 2) {
        throw native_error(errc::invalid_argument, "alignment needs at least 2 tokens, got " + std::to_string(r.n_tokens));
    }
    if (r.text_vocab_end < 1 || r.text_vocab_end > hp.n_vocab) {
        throw native_error(errc::invalid_argument, "the text vocabulary must end within 1 to " + std::to_string(hp.n_vocab));
    }
    if (st.n_seq != 1) {
        throw native_error(errc::invalid_argument, "alignment runs on a decoder of one sequence");
    }
    if (r.matrix != nullptr && !(0 <= r.matrix_first_row && r.matrix_first_row < r.matrix_last_row &&
                                 r.matrix_last_row <= r.n_tokens && r.matrix_ok != nullptr)) {
        throw native_error(errc::invalid_argument, "the matrix rows must lie within the tokens");
    }
    if (features != nullptr) {
        // the chosen heads' keys kept in f32; also empties the self-attention cache
        decoder_set_features(st, features, n_threads, r.heads, r.n_heads);
    }  // otherwise decoder_step_check refuses a window without these heads' f32 keys
    st.n_past = 0;
    cross_attention_capture capture;
    capture.heads = r.heads;
    capture.n_heads = r.n_heads;
    capture.n_positions = r.n_positions;
    capture.out = weights;
    // only rows whose next token is a text id have a probability: the SOT sequence's rows and
    // <|endoftext|>'s need no logits (one row still goes through, so a step has an output)
    std::vector<int32_t> positions;
    for (int i = 0; i + 1 < r.n_tokens; ++i) {
        if (r.tokens[i + 1] >= 0 && r.tokens[i + 1] < r.text_vocab_end) {
            positions.push_back(i);
        }
    }
    const bool any_text = !positions.empty();
    if (!any_text) {
        positions.push_back(0);
    }
    decoder_step_request req;
    req.state = &st;
    req.tokens = r.tokens;
    req.n_new = r.n_tokens;
    req.positions = positions.data();
    req.n_pos = static_cast<int>(positions.size());
    req.capture = &capture;
    decoder_step_check(req);  // heads, positions, tokens and context, before any work

    scratch_pool<decoder_workspace>::lease ws = st.model->decoder_scratch.acquire();
    // logits of the text ids only: openai's softmax covers no other (and they are most of the
    // vocabulary). On AVX-512 they are never written: the product and the softmax's sums go
    // together, column tile by column tile (fused_text_probabilities).
    const int vocab = r.text_vocab_end;
    const bool fused = uses_avx512(st.model->path);
    float * out = fused ? ws->logits.reserve(positions.size() * static_cast<size_t>(hp.n_text_state))
                        : ws->logits.reserve(positions.size() * static_cast<size_t>(vocab));
    decoder_step_batch(&req, 1, out, n_threads, *ws, fused ? STEP_HIDDEN_ONLY : vocab);
    if (r.matrix != nullptr) {
        *r.matrix_ok = alignment_matrix(weights, r.n_heads, r.n_tokens, r.n_positions, r.matrix_first_row, r.matrix_last_row,
                                        r.matrix);
    }
    std::fill(probabilities, probabilities + (r.n_tokens - 1), 0.0f);
    if (!any_text) {
        return;
    }
    if (fused) {
        fused_text_probabilities(*st.model, out, positions, r.tokens, vocab, probabilities, n_threads);
        return;
    }
    // the logits: openai's softmax over the text ids of each row, in place, rows split over the
    // threads (the rows are not needed after)
    const int per_task = (req.n_pos + std::max(1, n_threads) - 1) / std::max(1, n_threads);
    parallel_chunks(*st.model->pool, n_threads, req.n_pos, per_task, [&](int64_t r0, int64_t r1) {
        softmax_rows(static_cast<int>(r1 - r0), vocab, out + r0 * vocab, vocab, 1.0f, nullptr, st.model->path);
    });
    for (int p = 0; p < req.n_pos; ++p) {
        const int i = positions[p];
        probabilities[i] = out[static_cast<int64_t>(p) * vocab + r.tokens[i + 1]];
    }
}

} // namespace amanuensis

#include "decoder_align.h"

#include <algorithm>
#include <string>
#include <vector>

#include "alignment_matrix.h"
#include "kernels/ops.h"

namespace amanuensis {

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
        decoder_set_features(st, features, n_threads, true);  // also empties the self-attention cache
    } else if (!st.has_features || !st.cross || !st.cross->has_f32) {
        throw native_error(errc::invalid_argument, "the decoder's window was set without f32 keys: pass the features");
    }
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
    // logits of the text ids only: openai's softmax covers no other (and they are most of the vocabulary)
    const int vocab = r.text_vocab_end;
    float * logits = ws->logits.reserve(positions.size() * static_cast<size_t>(vocab));
    decoder_step_batch(&req, 1, logits, n_threads, *ws, vocab);
    if (r.matrix != nullptr) {
        *r.matrix_ok = alignment_matrix(weights, r.n_heads, r.n_tokens, r.n_positions, r.matrix_first_row, r.matrix_last_row,
                                        r.matrix);
    }
    std::fill(probabilities, probabilities + (r.n_tokens - 1), 0.0f);
    if (!any_text) {
        return;
    }
    // openai's softmax over the text ids of each row, in place, rows split over the threads
    // (the rows are not needed after)
    const int n_tasks = std::min(req.n_pos, std::max(1, n_threads));
    const int per_task = (req.n_pos + n_tasks - 1) / n_tasks;
    st.model->pool->parallel_for(n_tasks, n_threads, [&](int t) {
        const int r0 = t * per_task;
        const int r1 = std::min(req.n_pos, r0 + per_task);
        if (r0 < r1) {
            softmax_rows(r1 - r0, vocab, logits + static_cast<int64_t>(r0) * vocab, vocab, 1.0f, nullptr, st.model->path);
        }
    });
    for (int p = 0; p < req.n_pos; ++p) {
        const int i = positions[p];
        probabilities[i] = logits[static_cast<int64_t>(p) * vocab + r.tokens[i + 1]];
    }
}

} // namespace amanuensis

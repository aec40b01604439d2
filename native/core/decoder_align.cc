#include "decoder_align.h"

#include <numeric>
#include <string>
#include <vector>

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
    if (features != nullptr) {
        decoder_set_features(st, features, n_threads, true);  // also empties the self-attention cache
    } else if (!st.has_features || !st.cross || !st.cross->has_f32) {
        throw native_error(errc::invalid_argument, "the decoder's window was set without f32 keys and values: pass the features");
    }
    st.n_past = 0;
    cross_attention_capture capture;
    capture.heads = r.heads;
    capture.n_heads = r.n_heads;
    capture.n_positions = r.n_positions;
    capture.out = weights;
    std::vector<int32_t> positions(r.n_tokens - 1);
    std::iota(positions.begin(), positions.end(), 0);
    decoder_step_request req;
    req.state = &st;
    req.tokens = r.tokens;
    req.n_new = r.n_tokens;
    req.positions = positions.data();
    req.n_pos = static_cast<int>(positions.size());
    req.capture = &capture;
    decoder_step_check(req);  // heads, positions, tokens and context, before any work

    scratch_pool<decoder_workspace>::lease ws = st.model->decoder_scratch.acquire();
    float * logits = ws->logits.reserve(positions.size() * static_cast<size_t>(hp.n_vocab));
    decoder_step_batch(&req, 1, logits, n_threads, *ws);
    // openai's softmax over the text ids of each row, in place (the rows are not needed after)
    softmax_rows(r.n_tokens - 1, r.text_vocab_end, logits, hp.n_vocab, 1.0f, nullptr, st.model->path);
    for (int i = 0; i + 1 < r.n_tokens; ++i) {
        const int next = r.tokens[i + 1];
        probabilities[i] = next < r.text_vocab_end ? logits[static_cast<int64_t>(i) * hp.n_vocab + next] : 0.0f;
    }
}

} // namespace amanuensis

#include "decoder_align.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace amanuensis {

namespace {

// softmax(row[0, n))[t] in double, the max subtracted first (openai takes it over text ids only)
float probability_of(const float * row, int n, int t) {
    const float max = *std::max_element(row, row + n);
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
        sum += std::exp(static_cast<double>(row[i]) - max);
    }
    return static_cast<float>(std::exp(static_cast<double>(row[t]) - max) / sum);
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
    decoder_set_features_f32(st, features, n_threads);  // also empties the self-attention cache
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
    for (int i = 0; i + 1 < r.n_tokens; ++i) {
        const int next = r.tokens[i + 1];
        probabilities[i] = next < r.text_vocab_end
                               ? probability_of(logits + static_cast<int64_t>(i) * hp.n_vocab, r.text_vocab_end, next)
                               : 0.0f;
    }
}

} // namespace amanuensis

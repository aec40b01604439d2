// The token loop of one window at one temperature, as openai/whisper decoding.py DecodingTask:
// the initial tokens, then per step the logit filters (SuppressBlank, SuppressTokens,
// ApplyTimestampRules), the token decoder (GreedyDecoder: argmax or sampling; BeamSearchDecoder
// with patience) and the stop rules (EOT everywhere, sample_len, the text context). It never
// runs the decoder itself: whoever drives it runs each step (batched with other windows' steps)
// and hands the logits back, so the logits never leave native code.
//
// It makes the decisions of the TypeScript path (src/decoder/token-loop.ts, token-decoders.ts,
// logit-filters.ts, math.ts): sums in double, the same tie-breaking, and the same seeded
// Mulberry32 sampler, whose state it takes and gives back. Its exponentials and sums may differ
// from JavaScript's in the last bits, which changes a token only on a tie to about 1e-15.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/tensor_view.h"

namespace amanuensis {

struct token_loop_options {
    std::vector<int32_t> initial;          // previous-text prompt, SOT sequence (and <|notimestamps|>)
    int sample_begin = 0;                  // index of the first sampled token: initial.size()
    int sot_index = 0;                     // position of <|startoftranscript|> in `initial`
    int n_seq = 1;                         // beams, best-of candidates, or 1
    double temperature = 0;                // 0: argmax (or beam search); above 0: sampling
    int beam_size = 0;                     // above 0 (at temperature 0): beam search of that width
    double patience = 1;                   // beam search: finished candidates = round(beam_size * patience)
    int sample_len = 224;                  // most tokens sampled
    int n_text_ctx = 448;
    int n_vocab = 0;
    int32_t eot = 0;
    int32_t no_speech = 0;
    int32_t no_timestamps = 0;
    int32_t timestamp_begin = 0;
    bool suppress_blank = true;
    std::vector<int32_t> blank_tokens;     // what a lone space encodes to
    std::vector<int32_t> suppress_tokens;  // suppressed at every step
    bool timestamps = true;                // ApplyTimestampRules
    int max_initial_timestamp_index = -1;  // in timestamp steps; -1: no limit
    bool require_initial_timestamp = true;
    uint32_t random_state = 0;             // Mulberry32 state (src/utils/random.ts)
    kernel_path path = kernel_path::portable;  // the vectorized exp where the CPU has it
};

// Finished candidates of a window: their sampled tokens (up to EOT, without it) and summed
// log-probabilities; the no-speech probability at the SOT position; the sampler's state after.
struct token_loop_result {
    std::vector<std::vector<int32_t>> tokens;
    std::vector<double> sum_logprobs;
    double no_speech_prob = 0;
    uint32_t random_state = 0;
    int steps = 0;
};

class token_loop {
public:
    // Throws native_error(ERR_INVALID_ARGUMENT) for inconsistent options.
    explicit token_loop(token_loop_options options);

    // The block the next step feeds: the initial tokens of every sequence ([n_seq, n_new] row-major)
    // the first time, then each sequence's last token. `positions`: the logit rows wanted.
    void next_block(std::vector<int32_t> & tokens, int & n_new, std::vector<int32_t> & positions) const;

    // Consumes the logits of the block from next_block ([n_seq, positions, n_vocab] row-major;
    // modified in place by the filters). Sets `source` for a beam reorder the caches must follow
    // (empty when none). Returns true when the loop has finished.
    bool consume(float * logits, std::vector<int32_t> & source);

    // Tokens sampled so far per sequence, and the latest timestamp seen (in timestamp steps).
    int sampled() const { return steps_; }
    int latest_timestamp() const { return latest_timestamp_; }

    // The candidates; call once consume() has returned true (or to stop early).
    token_loop_result finish();

private:
    struct candidate {
        std::vector<int32_t> tokens;
        double logprob;
        int source;
    };

    // log(sum(exp(x))) over [from, to), in double; -inf when every entry is -inf (math.ts logSumExp)
    double log_sum_exp(const float * x, int from, int to) const;
    void apply_filters(float * row, const std::vector<int32_t> & seq) const;
    void apply_timestamp_rules(float * row, const std::vector<int32_t> & seq) const;
    bool update_greedy(const float * logits);
    bool update_beam(const float * logits, std::vector<int32_t> & source);
    int sample(const float * row);
    double next_random();

    token_loop_options o_;
    std::vector<std::vector<int32_t>> sequences_;
    std::vector<double> sum_logprobs_;
    // beam search: finished candidates by token sequence, in insertion order
    std::vector<candidate> finished_;
    std::unordered_map<std::string, size_t> finished_index_;
    int max_candidates_ = 0;
    double no_speech_prob_ = 0;
    int steps_ = 0;
    int latest_timestamp_ = 0;
    bool done_ = false;
    std::vector<double> weights_;          // sampling: cumulative weights, reused
    std::vector<double> logprobs_;         // beam search: one row's log-softmax, reused
    mutable std::vector<double> exps_;     // one row's exponentials, reused
};

} // namespace amanuensis

#include "token_loop.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "error.h"
#include "kernels/exp_shifted.h"

namespace amanuensis {

namespace {

constexpr float neg_inf = -std::numeric_limits<float>::infinity();

// The key of a token sequence in the beam's candidate maps (decoding.py keys them by tuple).
std::string key_of(const std::vector<int32_t> & tokens) {
    return std::string(reinterpret_cast<const char *>(tokens.data()), tokens.size() * sizeof(int32_t));
}

float max_of(const float * x, int from, int to) {
    float max = neg_inf;
    for (int i = from; i < to; i++) if (x[i] > max) max = x[i];
    return max;
}

// The first index of the largest value, as torch.argmax.
int argmax(const float * x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (x[i] > x[best]) best = i;
    return best;
}

// Indices of the k largest values, largest first; on ties the earlier index first (math.ts topK).
void top_k(const std::vector<double> & x, int k, std::vector<int> & best) {
    best.clear();
    for (int i = 0; i < int(x.size()); i++) {
        const double v = x[i];
        if (int(best.size()) == k && v <= x[best[k - 1]]) continue;
        int at = int(best.size());
        while (at > 0 && x[best[at - 1]] < v) at--;
        best.insert(best.begin() + at, i);
        if (int(best.size()) > k) best.pop_back();
    }
}

std::vector<int32_t> until_eot(const std::vector<int32_t> & seq, int sample_begin, int32_t eot) {
    std::vector<int32_t> out;
    for (size_t i = size_t(sample_begin); i < seq.size() && seq[i] != eot; i++) out.push_back(seq[i]);
    return out;
}

// Sums of exponentials use four partial sums (the vectorized exp's lanes): the TypeScript loop
// adds one at a time, so the two differ in the last bits of a log-probability; a token differs
// only if two candidates tie to within those bits (about 1e-15 relative).
double sum_of(const double * v, int n) {
    double s[4] = {0, 0, 0, 0};
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s[0] += v[i];
        s[1] += v[i + 1];
        s[2] += v[i + 2];
        s[3] += v[i + 3];
    }
    for (; i < n; i++) s[0] += v[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

} // namespace

token_loop::token_loop(token_loop_options options) : o_(std::move(options)) {
    const bool beam = o_.beam_size > 0;
    if (o_.n_vocab <= 0 || o_.n_seq < 1 || o_.initial.empty() || o_.sample_begin != int(o_.initial.size()) ||
        o_.sot_index < 0 || o_.sot_index >= int(o_.initial.size()) || o_.sample_len < 1 ||
        (beam && (o_.temperature != 0 || o_.beam_size != o_.n_seq || !(o_.patience > 0))) || !(o_.temperature >= 0)) {
        throw native_error(errc::invalid_argument, "inconsistent token loop options");
    }
    for (int32_t t : o_.initial) if (t < 0 || t >= o_.n_vocab) throw native_error(errc::invalid_argument, "initial token out of range");
    for (int32_t t : {o_.eot, o_.no_speech, o_.no_timestamps, o_.timestamp_begin}) {
        if (t < 0 || t >= o_.n_vocab) throw native_error(errc::invalid_argument, "special token out of range");
    }
    for (int32_t t : o_.blank_tokens) if (t < 0 || t >= o_.n_vocab) throw native_error(errc::invalid_argument, "blank token out of range");
    sequences_.assign(size_t(o_.n_seq), o_.initial);
    sum_logprobs_.assign(size_t(o_.n_seq), 0.0);
    // Python's round (decoding.py): halves to even, so 5 beams x patience 0.5 keep 2 candidates
    max_candidates_ = beam ? int(std::nearbyint(o_.beam_size * o_.patience)) : 0;
}

void token_loop::next_block(std::vector<int32_t> & tokens, int & n_new, std::vector<int32_t> & positions) const {
    tokens.clear();
    positions.clear();
    if (steps_ == 0) {
        for (const auto & seq : sequences_) tokens.insert(tokens.end(), seq.begin(), seq.end());
        n_new = int(o_.initial.size());
        const int last = n_new - 1;
        // the logits at the SOT position give the no-speech probability
        if (o_.sot_index != last) positions.push_back(o_.sot_index);
        positions.push_back(last);
    } else {
        for (const auto & seq : sequences_) tokens.push_back(seq.back());
        n_new = 1;
        positions.push_back(0);
    }
}

bool token_loop::consume(float * logits, std::vector<int32_t> & source) {
    source.clear();
    if (done_) return true;
    const int n_vocab = o_.n_vocab;
    const int n_seq = int(sequences_.size());
    float * rows = logits;
    std::vector<float> picked;
    if (steps_ == 0) {
        const int n_pos = o_.sot_index == int(o_.initial.size()) - 1 ? 1 : 2;
        // softmax(logits at SOT)[no_speech] of the first sequence, as decoding.py
        // exp(x - max) / sum, as the TypeScript loop divides
        const float max = max_of(logits, 0, n_vocab);
        exps_.resize(size_t(n_vocab));
        exp_shifted(logits, n_vocab, double(max), 1.0, exps_.data(), o_.path);
        no_speech_prob_ = std::exp(double(logits[o_.no_speech]) - double(max)) / sum_of(exps_.data(), n_vocab);
        if (n_pos == 2) {
            picked.resize(size_t(n_seq) * size_t(n_vocab));
            for (int s = 0; s < n_seq; s++) {
                std::copy_n(logits + (size_t(s) * 2 + 1) * size_t(n_vocab), size_t(n_vocab), picked.data() + size_t(s) * size_t(n_vocab));
            }
            rows = picked.data();
        }
    }
    for (int s = 0; s < n_seq; s++) apply_filters(rows + size_t(s) * size_t(n_vocab), sequences_[size_t(s)]);
    const bool completed = o_.beam_size > 0 ? update_beam(rows, source) : update_greedy(rows);
    steps_++;
    for (const auto & seq : sequences_) {
        if (seq.back() >= o_.timestamp_begin) latest_timestamp_ = std::max(latest_timestamp_, seq.back() - o_.timestamp_begin);
    }
    // stop before a step would feed more tokens than the text context holds
    done_ = completed || steps_ >= o_.sample_len || (!sequences_.empty() && int(sequences_[0].size()) > o_.n_text_ctx);
    return done_;
}

double token_loop::log_sum_exp(const float * x, int from, int to) const {
    const float max = max_of(x, from, to);
    if (max == neg_inf) return -std::numeric_limits<double>::infinity();
    exps_.resize(size_t(to - from));
    exp_shifted(x + from, to - from, double(max), 1.0, exps_.data(), o_.path);
    return double(max) + std::log(sum_of(exps_.data(), to - from));
}

void token_loop::apply_filters(float * row, const std::vector<int32_t> & seq) const {
    const int n_vocab = o_.n_vocab;
    if (o_.suppress_blank && int(seq.size()) == o_.sample_begin) {
        for (int32_t t : o_.blank_tokens) row[t] = neg_inf;
        row[o_.eot] = neg_inf;
    }
    for (int32_t t : o_.suppress_tokens) if (t >= 0 && t < n_vocab) row[t] = neg_inf;
    if (o_.timestamps) apply_timestamp_rules(row, seq);
}

void token_loop::apply_timestamp_rules(float * row, const std::vector<int32_t> & seq) const {
    const int n_vocab = o_.n_vocab;
    const int32_t tb = o_.timestamp_begin;
    auto mask = [&](int from, int to) {
        for (int t = std::max(0, from); t < std::min(to, n_vocab); t++) row[t] = neg_inf;
    };
    row[o_.no_timestamps] = neg_inf;
    const int begin = o_.sample_begin;
    const int n = int(seq.size()) - begin;
    const bool last_was_timestamp = n >= 1 && seq[size_t(begin + n - 1)] >= tb;
    const bool penultimate_was_timestamp = n < 2 || seq[size_t(begin + n - 2)] >= tb;
    if (last_was_timestamp) {
        if (penultimate_was_timestamp) mask(tb, n_vocab);  // a pair is complete: text must follow
        else mask(0, o_.eot);                             // a lone timestamp closes a segment
    }
    int32_t last_timestamp = -1;
    for (int i = begin; i < int(seq.size()); i++) if (seq[size_t(i)] >= tb) last_timestamp = seq[size_t(i)];
    if (last_timestamp >= 0) {
        // never decrease; a segment that just closed must also have nonzero length
        const int timestamp_last = last_was_timestamp && !penultimate_was_timestamp ? last_timestamp : last_timestamp + 1;
        mask(tb, timestamp_last);
    }
    if (n == 0) {
        if (o_.require_initial_timestamp) mask(0, tb);
        if (o_.max_initial_timestamp_index >= 0) mask(tb + o_.max_initial_timestamp_index + 1, n_vocab);
    }
    // the timestamps together more probable than any text token: sample a timestamp
    if (log_sum_exp(row, tb, n_vocab) > double(max_of(row, 0, tb))) mask(0, tb);
}

double token_loop::next_random() {
    // Mulberry32, as src/utils/random.ts seededRandom
    o_.random_state += 0x6d2b79f5u;
    uint32_t t = o_.random_state;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return double(t ^ (t >> 14)) / 4294967296.0;
}

int token_loop::sample(const float * row) {
    const int n_vocab = o_.n_vocab;
    const float max = max_of(row, 0, n_vocab);
    weights_.resize(size_t(n_vocab));
    exp_shifted(row, n_vocab, double(max), o_.temperature, weights_.data(), o_.path);
    // cumulative in vocabulary order, as the TypeScript sampler adds them
    double total = 0;
    for (int i = 0; i < n_vocab; i++) {
        total += weights_[size_t(i)];
        weights_[size_t(i)] = total;
    }
    const double target = next_random() * total;
    // the first cumulative weight above the target
    int lo = 0;
    int hi = n_vocab - 1;
    while (lo < hi) {
        const int mid = (lo + hi) >> 1;
        if (weights_[size_t(mid)] > target) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

bool token_loop::update_greedy(const float * logits) {
    const int n_vocab = o_.n_vocab;
    bool completed = true;
    for (size_t i = 0; i < sequences_.size(); i++) {
        const float * row = logits + i * size_t(n_vocab);
        auto & seq = sequences_[i];
        const bool finished = seq.back() == o_.eot;
        const int32_t next = finished ? o_.eot : o_.temperature == 0 ? argmax(row, n_vocab) : sample(row);
        if (!finished) sum_logprobs_[i] += double(row[next]) - log_sum_exp(row, 0, n_vocab);
        seq.push_back(next);
        completed = completed && next == o_.eot;
    }
    return completed;
}

bool token_loop::update_beam(const float * logits, std::vector<int32_t> & source) {
    const int n_vocab = o_.n_vocab;
    std::vector<candidate> scores;
    std::unordered_map<std::string, size_t> index;
    std::vector<int> best;
    for (size_t j = 0; j < sequences_.size(); j++) {
        const float * row = logits + j * size_t(n_vocab);
        // log-softmax in double, as math.ts logSoftmax
        logprobs_.assign(size_t(n_vocab), -std::numeric_limits<double>::infinity());
        const double log_z = log_sum_exp(row, 0, n_vocab);
        if (log_z != -std::numeric_limits<double>::infinity()) {
            for (int i = 0; i < n_vocab; i++) logprobs_[size_t(i)] = double(row[i]) - log_z;
        }
        top_k(logprobs_, o_.beam_size + 1, best);
        for (int token : best) {
            candidate c{sequences_[j], sum_logprobs_[j] + logprobs_[size_t(token)], int(j)};
            c.tokens.push_back(token);
            std::string key = key_of(c.tokens);
            // a repeated sequence keeps its first place and takes the new score (a Map's set)
            auto found = index.find(key);
            if (found == index.end()) {
                index.emplace(std::move(key), scores.size());
                scores.push_back(std::move(c));
            } else {
                scores[found->second] = std::move(c);
            }
        }
    }
    std::stable_sort(scores.begin(), scores.end(), [](const candidate & a, const candidate & b) { return a.logprob > b.logprob; });
    std::vector<std::vector<int32_t>> next;
    std::vector<double> next_logprobs;
    std::vector<candidate *> newly_finished;
    for (auto & c : scores) {
        if (c.tokens.back() == o_.eot) {
            newly_finished.push_back(&c);
        } else {
            next.push_back(c.tokens);
            next_logprobs.push_back(c.logprob);
            source.push_back(c.source);
            if (int(next.size()) == o_.beam_size) break;
        }
    }
    for (candidate * f : newly_finished) {
        if (int(finished_.size()) >= max_candidates_) break;
        std::string key = key_of(f->tokens);
        auto found = finished_index_.find(key);
        if (found == finished_index_.end()) {
            finished_index_.emplace(std::move(key), finished_.size());
            finished_.push_back(*f);
        } else {
            finished_[found->second] = *f;
        }
    }
    sequences_ = std::move(next);
    sum_logprobs_ = std::move(next_logprobs);
    return int(finished_.size()) >= max_candidates_;
}

token_loop_result token_loop::finish() {
    token_loop_result r;
    r.no_speech_prob = no_speech_prob_;
    r.random_state = o_.random_state;
    r.steps = steps_;
    if (o_.beam_size > 0) {
        std::vector<candidate> candidates = finished_;
        if (int(candidates.size()) < o_.beam_size) {
            // not enough finished: the live beams, most likely first
            std::vector<size_t> order(sequences_.size());
            for (size_t i = 0; i < order.size(); i++) order[i] = i;
            std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return sum_logprobs_[a] > sum_logprobs_[b]; });
            for (size_t i : order) {
                candidate c{sequences_[i], sum_logprobs_[i], int(i)};
                c.tokens.push_back(o_.eot);
                candidates.push_back(std::move(c));
                if (int(candidates.size()) >= o_.beam_size) break;
            }
        }
        for (const auto & c : candidates) {
            r.tokens.push_back(until_eot(c.tokens, o_.sample_begin, o_.eot));
            r.sum_logprobs.push_back(c.logprob);
        }
    } else {
        for (size_t i = 0; i < sequences_.size(); i++) {
            r.tokens.push_back(until_eot(sequences_[i], o_.sample_begin, o_.eot));
            r.sum_logprobs.push_back(sum_logprobs_[i]);
        }
    }
    return r;
}

} // namespace amanuensis

#include "napi/decoder_align_js.h"

#include <string>
#include <vector>

#include "core/decoder_align.h"
#include "napi/args.h"
#include "napi/worker.h"

namespace amanuensis {

namespace {

class align_worker : public promise_worker {
public:
    align_worker(Napi::Env env, std::shared_ptr<decoder_state> state, float_copy features, std::vector<int32_t> tokens,
                 std::vector<int32_t> heads, int n_positions, int text_vocab_end, int matrix_first_row, int matrix_last_row,
                 int n_threads)
        : promise_worker(env), state_(std::move(state)), features_(std::move(features)), tokens_(std::move(tokens)), heads_(std::move(heads)),
          n_positions_(n_positions), text_vocab_end_(text_vocab_end), matrix_first_row_(matrix_first_row),
          matrix_last_row_(matrix_last_row), n_threads_(n_threads) {}

protected:
    void run() override {
        alignment_request r;
        r.tokens = tokens_.data();
        r.n_tokens = static_cast<int>(tokens_.size());
        r.heads = heads_.data();
        r.n_heads = static_cast<int>(heads_.size() / 2);
        r.n_positions = n_positions_;
        r.text_vocab_end = text_vocab_end_;
        weights_.reserve(static_cast<size_t>(r.n_heads) * r.n_tokens * n_positions_);
        if (matrix_last_row_ > matrix_first_row_) {
            r.matrix = matrix_.reserve(matrix_cells());
            r.matrix_first_row = matrix_first_row_;
            r.matrix_last_row = matrix_last_row_;
            r.matrix_ok = &matrix_ok_;
        }
        probabilities_.reserve(tokens_.size());
        decoder_align(*state_, features_.size() > 0 ? features_.data() : nullptr, r, weights_.data(), probabilities_.data(), n_threads_);
    }

    Napi::Value result(Napi::Env env) override {
        Napi::Object o = Napi::Object::New(env);
        o.Set("probabilities", to_js(env, probabilities_.data(), tokens_.size() - 1));
        if (matrix_ok_) {
            Napi::Float64Array m = Napi::Float64Array::New(env, matrix_cells());
            std::copy(matrix_.data(), matrix_.data() + matrix_cells(), m.Data());
            o.Set("matrix", m);
        } else {
            // the weights only when the caller computes the matrix from them: for a long
            // transcript they are megabytes (heads x tokens x 1500)
            o.Set("weights", to_js(env, weights_.data(), heads_.size() / 2 * tokens_.size() * n_positions_));
        }
        return o;
    }

    void finished() override { state_->busy.store(false); }

    size_t matrix_cells() const { return static_cast<size_t>(matrix_last_row_ - matrix_first_row_) * n_positions_; }

private:
    std::shared_ptr<decoder_state> state_;
    float_copy features_;
    std::vector<int32_t> tokens_;
    std::vector<int32_t> heads_;
    int n_positions_;
    int text_vocab_end_;
    int matrix_first_row_;
    int matrix_last_row_;
    int n_threads_;
    bool matrix_ok_ = false;
    aligned_buffer<float> weights_;
    aligned_buffer<float> probabilities_;
    aligned_buffer<double> matrix_;
};

} // namespace

Napi::Value queue_align(const Napi::CallbackInfo & info, std::shared_ptr<decoder_state> state) {
    Napi::Env env = info.Env();
    const whisper_hparams & hp = state->model->hparams;
    const Napi::Object o = options_arg(info, 1, "align(tokens, { features?, heads, nPositions, textVocabEnd, matrixRows?, threads })");
    std::vector<int32_t> tokens = copy_ints(info[0], "tokens");
    // without features: the decoder's window, set keeping these heads' f32 keys or shared from one that was
    const bool has_features = !o.Get("features").IsUndefined();
    float_copy features = has_features ? copy_floats(o.Get("features"), "features") : float_copy();
    if (has_features && features.size() != static_cast<size_t>(hp.n_audio_ctx) * hp.n_audio_state) {
        invalid_argument(env, "audio features must be [" + std::to_string(hp.n_audio_ctx) + ", " + std::to_string(hp.n_audio_state) + "]");
    }
    std::vector<int32_t> heads = copy_ints(o.Get("heads"), "heads");
    const int n_positions = int_field(o, "nPositions", 1, hp.n_audio_ctx);
    const int text_vocab_end = int_field(o, "textVocabEnd", 1, hp.n_vocab);
    const int n_threads = int_field(o, "threads", 1, 256);
    // optional: the DTW's matrix of token rows [first, last), computed natively
    int matrix_first_row = 0;
    int matrix_last_row = 0;
    if (!o.Get("matrixRows").IsUndefined()) {
        const std::vector<int32_t> rows = copy_ints(o.Get("matrixRows"), "matrixRows");
        if (rows.size() != 2 || rows[0] < 0 || rows[0] >= rows[1] || rows[1] > static_cast<int32_t>(tokens.size())) {
            invalid_argument(env, "matrixRows must be an Int32Array [first, last) of token rows");
        }
        matrix_first_row = rows[0];
        matrix_last_row = rows[1];
    }
    if (tokens.size() < 2 || tokens.size() > static_cast<size_t>(hp.n_text_ctx)) {
        invalid_argument(env, "align() takes 2 to " + std::to_string(hp.n_text_ctx) + " tokens, got " + std::to_string(tokens.size()));
    }
    if (heads.empty() || heads.size() % 2 != 0) {
        invalid_argument(env, "heads must hold (layer, head) pairs");
    }
    if (state->n_seq != 1) {
        invalid_argument(env, "align() needs a decoder of one sequence");
    }
    return queue_worker<align_worker>(env, std::move(state), std::move(features), std::move(tokens), std::move(heads), n_positions, text_vocab_end,
                                      matrix_first_row, matrix_last_row, n_threads);
}

} // namespace amanuensis

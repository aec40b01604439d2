#include "whisper_model.h"

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/decoder_step.h"
#include "kernels/fp16.h"
#include "kernels/quant.h"

namespace amanuensis {

namespace {

constexpr uint64_t ALIGN = 64;

std::string shape_string(const std::vector<int64_t> & ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) {
        s += (i ? ", " : "") + std::to_string(ne[i]);
    }
    return s + "]";
}

// The type a tensor's bytes are kept in; throws for ggml types the kernels cannot read.
dtype weight_type(const tensor_record & t) {
    dtype out;
    if (!dtype_from_ggml(t.type, out)) {
        throw native_error(errc::model_unsupported_tensor_type,
                           "tensor '" + t.name + "' has ggml type " + std::to_string(t.type) +
                               "; supported are F32, F16, Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0");
    }
    return out;
}

// Bytes of a float tensor (F32/F16) of n elements: biases, norms and positional embeddings,
// which whisper.cpp's quantize tool never quantizes and which are widened to f32 at load.
int64_t float_tensor_bytes(const tensor_record & t, int64_t n) {
    const dtype type = weight_type(t);
    if (is_quantized(type)) {
        throw native_error(errc::model_unsupported_tensor_type,
                           "tensor '" + t.name + "' is " + dtype_name(type) + "; only weight matrices may be quantized, not vectors or tables");
    }
    return n * type_block_bytes(type);
}

// Bytes of a [rows, cols] weight in its own type. Quantized blocks run along ggml's ne[0], so a
// quantized weight must have rows of cols = ne[0] elements, a whole number of blocks.
int64_t weight_bytes_of(const tensor_record & t, dtype type, int64_t rows, int64_t cols) {
    if (is_quantized(type)) {
        if (t.ne.empty() || t.ne[0] != cols) {
            throw native_error(errc::model_unsupported_tensor_type,
                               "tensor '" + t.name + "' is " + dtype_name(type) + " but its rows are not the weight's rows (a quantized convolution?)");
        }
        if (cols % QUANT_BLOCK != 0) {
            throw native_error(errc::model_tensor_shape, "tensor '" + t.name + "' is " + dtype_name(type) + " with rows of " +
                                                             std::to_string(cols) + " elements, not a multiple of its block size 32");
        }
    }
    return rows * row_bytes(type, cols);
}

// Lays out the weights in two passes over the same code: a dry run that validates and
// measures, then a run that copies into the allocated arena.
class arena_builder {
public:
    explicit arena_builder(const model_source & src) : src_(src) {
        for (const auto & t : src.tensors) {
            if (!by_name_.emplace(t.name, &t).second) {
                throw native_error(errc::model_duplicate_tensor, "tensor '" + t.name + "' appears twice");
            }
        }
        if (src.file == nullptr) {
            // O_NONBLOCK: opening a FIFO must not wait for a writer; only a regular file is read
            fd_ = ::open(src.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
            struct stat st {};
            const bool opened = fd_ >= 0 && ::fstat(fd_, &st) == 0;
            const std::string reason = !opened ? std::strerror(errno) : "not a regular file";
            if (!opened || !S_ISREG(st.st_mode)) {
                if (fd_ >= 0) {
                    ::close(fd_);  // the destructor does not run for a constructor that throws
                }
                throw native_error(errc::model_not_found, "cannot open model file '" + src.path + "': " + reason);
            }
            file_size_ = static_cast<uint64_t>(st.st_size);
        } else {
            file_size_ = src.file_size;
        }
    }

    ~arena_builder() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    arena_builder(const arena_builder &) = delete;
    arena_builder & operator=(const arena_builder &) = delete;

    void start_copy(uint8_t * base) {
        base_ = base;
        cursor_ = 0;
    }
    uint64_t size() const { return cursor_; }

    // The tensors' shapes in the file's own terms (ggml's ne order, the [1, n] conv biases) are
    // checked once, by the TypeScript reader (src/model/tensor-spec.ts); here each tensor must
    // hold exactly the elements the computation reads, and its bytes must lie in the file.

    // A vector of n floats, widened to f32.
    const float * vec(const std::string & name, int64_t n) {
        const tensor_record & t = find(name);
        expect_elements(t, n);
        return to_f32(t, n);
    }

    // A [rows, cols] table of floats (positional embeddings).
    const float * table(const std::string & name, int64_t rows, int64_t cols) {
        const tensor_record & t = find(name);
        expect_elements(t, rows * cols);
        return to_f32(t, rows * cols);
    }

    // A weight matrix [rows, cols] row-major (convolutions as [out, in * k]), kept in its type:
    // quantized blocks are copied as they are, never widened.
    matrix_view mat(const std::string & name, int64_t rows, int64_t cols) {
        const tensor_record & t = find(name);
        expect_elements(t, rows * cols);
        const dtype type = weight_type(t);
        const int64_t bytes = weight_bytes_of(t, type, rows, cols);
        check_range(t, bytes);
        uint8_t * dst = reserve(static_cast<uint64_t>(bytes));
        if (dst != nullptr) {
            read_into(t, dst);
        }
        return matrix_view{dst, type, rows, cols};
    }

    // Three [n, n] weights stacked into one [3n, n] matrix (one GEMM for query, key and value):
    // in their type when all three share it (rows concatenated byte for byte), else f32 widened
    // from f32/f16. Quantized weights of different types cannot share one matrix.
    matrix_view stacked3(const std::string names[3], int64_t n) {
        const tensor_record * ts[3];
        dtype types[3];
        for (int i = 0; i < 3; ++i) {
            ts[i] = &find(names[i]);
            expect_elements(*ts[i], n * n);
            types[i] = weight_type(*ts[i]);
            check_range(*ts[i], weight_bytes_of(*ts[i], types[i], n, n));
        }
        const bool same = types[0] == types[1] && types[1] == types[2];
        for (int i = 0; i < 3 && !same; ++i) {
            if (is_quantized(types[i])) {
                throw native_error(errc::model_unsupported_tensor_type,
                                   "tensors '" + names[0] + "', '" + names[1] + "' and '" + names[2] + "' mix the types " +
                                       dtype_name(types[0]) + ", " + dtype_name(types[1]) + " and " + dtype_name(types[2]) +
                                       "; quantized query, key and value weights must share one type");
            }
        }
        const dtype type = same ? types[0] : dtype::f32;
        const int64_t part_bytes = n * row_bytes(type, n);
        uint8_t * dst = reserve(static_cast<uint64_t>(3 * part_bytes));
        if (dst != nullptr) {
            for (int i = 0; i < 3; ++i) {
                uint8_t * part = dst + i * part_bytes;
                if (same || types[i] == dtype::f32) {
                    read_into(*ts[i], part);
                } else {
                    widen(*ts[i], reinterpret_cast<float *>(part), n * n);
                }
            }
        }
        return matrix_view{dst, type, 3 * n, n};
    }

    // Biases of query, (absent) key and value stacked into [3n]; the key part is zero.
    const float * stacked_bias(const std::string & q, const std::string & v, int64_t n) {
        const tensor_record & tq = find(q);
        const tensor_record & tv = find(v);
        expect_elements(tq, n);
        expect_elements(tv, n);
        check_range(tq, float_tensor_bytes(tq, n));
        check_range(tv, float_tensor_bytes(tv, n));
        float * dst = reinterpret_cast<float *>(reserve(static_cast<uint64_t>(3 * n * 4)));
        if (dst != nullptr) {
            widen(tq, dst, n);
            std::memset(dst + n, 0, static_cast<size_t>(n * 4));
            widen(tv, dst + 2 * n, n);
        }
        return dst;
    }

    linear_layer linear(const std::string & prefix, int64_t out, int64_t in, bool has_bias = true) {
        linear_layer l;
        l.w = mat(prefix + ".weight", out, in);
        l.b = has_bias ? vec(prefix + ".bias", out) : nullptr;
        return l;
    }

    norm_layer norm(const std::string & prefix, int64_t n) {
        return norm_layer{vec(prefix + ".weight", n), vec(prefix + ".bias", n)};
    }

private:
    const tensor_record & find(const std::string & name) const {
        auto it = by_name_.find(name);
        if (it == by_name_.end()) {
            throw native_error(errc::model_missing_tensor, "tensor '" + name + "' is missing from the model file");
        }
        return *it->second;
    }

    void expect_elements(const tensor_record & t, int64_t n) const {
        // each ne is at least 1 (the reader checks): multiply only while the product cannot pass n
        int64_t count = 1;
        for (int64_t d : t.ne) {
            if (d < 1 || count > n / d) {
                count = -1;
                break;
            }
            count *= d;
        }
        if (count != n) {
            throw native_error(errc::model_tensor_shape, "tensor '" + t.name + "' has shape " + shape_string(t.ne) + ": " +
                                                             std::to_string(n) + " elements expected for these hyperparameters");
        }
    }

    void check_range(const tensor_record & t, int64_t bytes) const {
        if (bytes < 0 || static_cast<uint64_t>(bytes) != t.nbytes || t.offset > file_size_ ||
            t.nbytes > file_size_ - t.offset) {
            throw native_error(errc::model_truncated, "tensor '" + t.name + "' data lies outside the file");
        }
    }

    // Copies a tensor's bytes (range already checked) to dst, from memory or with pread.
    void read_into(const tensor_record & t, uint8_t * dst) const {
        if (src_.file != nullptr) {
            std::memcpy(dst, src_.file + t.offset, static_cast<size_t>(t.nbytes));
            return;
        }
        uint64_t done = 0;
        while (done < t.nbytes) {
            const ssize_t n = ::pread(fd_, dst + done, static_cast<size_t>(t.nbytes - done), static_cast<off_t>(t.offset + done));
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                throw native_error(errc::model_truncated, "cannot read tensor '" + t.name + "' from the model file");
            }
            done += static_cast<uint64_t>(n);
        }
    }

    // The tensor's bytes in memory: the file itself, or a scratch copy valid until the next call.
    const uint8_t * bytes_of(const tensor_record & t) const {
        if (src_.file != nullptr) {
            return src_.file + t.offset;
        }
        scratch_.resize(static_cast<size_t>(t.nbytes));
        read_into(t, scratch_.data());
        return scratch_.data();
    }

    uint8_t * reserve(uint64_t bytes) {
        const uint64_t at = cursor_;
        cursor_ += (bytes + ALIGN - 1) / ALIGN * ALIGN;
        return base_ != nullptr ? base_ + at : nullptr;
    }

    void widen(const tensor_record & t, float * dst, int64_t n) const {
        const uint8_t * src = bytes_of(t);
        if (t.type == 0) {
            std::memcpy(dst, src, static_cast<size_t>(n * 4));
        } else {
            for (int64_t i = 0; i < n; ++i) {
                dst[i] = load_fp16(src, i);
            }
        }
    }

    const float * to_f32(const tensor_record & t, int64_t n) {
        check_range(t, float_tensor_bytes(t, n));
        float * dst = reinterpret_cast<float *>(reserve(static_cast<uint64_t>(n * 4)));
        if (dst != nullptr) {
            widen(t, dst, n);
        }
        return dst;
    }

    const model_source & src_;
    std::unordered_map<std::string, const tensor_record *> by_name_;
    uint8_t * base_ = nullptr;
    uint64_t cursor_ = 0;
    int fd_ = -1;
    uint64_t file_size_ = 0;
    mutable std::vector<uint8_t> scratch_;
};

void check_hparams(const whisper_hparams & hp) {
    auto in_range = [](int32_t v, int32_t lo, int32_t hi) { return v >= lo && v <= hi; };
    const bool ok = in_range(hp.n_vocab, 1, 1 << 20) && in_range(hp.n_audio_ctx, 1, 1 << 16) &&
                    in_range(hp.n_audio_state, 1, 1 << 14) && in_range(hp.n_audio_head, 1, 1024) &&
                    in_range(hp.n_audio_layer, 1, 1024) && in_range(hp.n_text_ctx, 1, 1 << 16) &&
                    in_range(hp.n_text_state, 1, 1 << 14) && in_range(hp.n_text_head, 1, 1024) &&
                    in_range(hp.n_text_layer, 1, 1024) && in_range(hp.n_mels, 1, 1024) &&
                    hp.n_audio_state % hp.n_audio_head == 0 && hp.n_text_state % hp.n_text_head == 0 &&
                    hp.n_audio_state == hp.n_text_state;
    if (!ok) {
        throw native_error(errc::model_bad_hparams, "the model's hyperparameters are out of range or inconsistent");
    }
}

void build(whisper_model & m, arena_builder & b) {
    const whisper_hparams & hp = m.hparams;
    const int64_t sa = hp.n_audio_state;
    const int64_t st = hp.n_text_state;

    m.conv1_w = b.mat("encoder.conv1.weight", sa, hp.n_mels * 3);
    m.conv1_b = b.vec("encoder.conv1.bias", sa);
    m.conv2_w = b.mat("encoder.conv2.weight", sa, sa * 3);
    m.conv2_b = b.vec("encoder.conv2.bias", sa);
    m.enc_pos = b.table("encoder.positional_embedding", hp.n_audio_ctx, sa);
    m.enc_layers.assign(hp.n_audio_layer, encoder_layer{});
    for (int i = 0; i < hp.n_audio_layer; ++i) {
        const std::string p = "encoder.blocks." + std::to_string(i) + ".";
        encoder_layer & l = m.enc_layers[i];
        l.attn_ln = b.norm(p + "attn_ln", sa);
        const std::string qkv[3] = {p + "attn.query.weight", p + "attn.key.weight", p + "attn.value.weight"};
        l.qkv.w = b.stacked3(qkv, sa);
        l.qkv.b = b.stacked_bias(p + "attn.query.bias", p + "attn.value.bias", sa);
        l.out = b.linear(p + "attn.out", sa, sa);
        l.mlp_ln = b.norm(p + "mlp_ln", sa);
        l.mlp0 = b.linear(p + "mlp.0", 4 * sa, sa);
        l.mlp2 = b.linear(p + "mlp.2", sa, 4 * sa);
    }
    m.ln_post = b.norm("encoder.ln_post", sa);

    m.tok_emb = b.mat("decoder.token_embedding.weight", hp.n_vocab, st);
    m.dec_pos = b.table("decoder.positional_embedding", hp.n_text_ctx, st);
    m.dec_layers.assign(hp.n_text_layer, decoder_layer{});
    for (int i = 0; i < hp.n_text_layer; ++i) {
        const std::string p = "decoder.blocks." + std::to_string(i) + ".";
        decoder_layer & l = m.dec_layers[i];
        l.attn_ln = b.norm(p + "attn_ln", st);
        const std::string qkv[3] = {p + "attn.query.weight", p + "attn.key.weight", p + "attn.value.weight"};
        l.qkv.w = b.stacked3(qkv, st);
        l.qkv.b = b.stacked_bias(p + "attn.query.bias", p + "attn.value.bias", st);
        l.out = b.linear(p + "attn.out", st, st);
        l.cross_ln = b.norm(p + "cross_attn_ln", st);
        l.cross_q = b.linear(p + "cross_attn.query", st, st);
        l.cross_k = b.linear(p + "cross_attn.key", st, sa, false);
        l.cross_v = b.linear(p + "cross_attn.value", st, sa);
        l.cross_out = b.linear(p + "cross_attn.out", st, st);
        l.mlp_ln = b.norm(p + "mlp_ln", st);
        l.mlp0 = b.linear(p + "mlp.0", 4 * st, st);
        l.mlp2 = b.linear(p + "mlp.2", st, 4 * st);
    }
    m.dec_ln = b.norm("decoder.ln", st);
}

} // namespace

std::shared_ptr<whisper_model> whisper_model_create(const model_source & source, int n_threads, kernel_path path) {
    check_hparams(source.hparams);
    auto model = std::make_shared<whisper_model>();
    model->cross_caches = std::make_shared<cross_cache_pool>();
    model->hparams = source.hparams;
    model->path = path;

    arena_builder builder(source);
    build(*model, builder);  // dry run: validates everything and measures the arena
    model->weight_bytes = builder.size();
    builder.start_copy(model->arena.reserve(builder.size()));
    build(*model, builder);

    model->pool = shared_thread_pool(n_threads);
    model->n_threads = n_threads;
    return model;
}

} // namespace amanuensis

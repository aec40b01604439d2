// Parsing and validation of whisper.cpp's GGML Silero VAD files (see silero_vad_file.h).
#include "vad/silero_vad_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include "core/error.h"
#include "kernels/fp16.h"

namespace amanuensis {

namespace {

constexpr uint32_t ggml_magic = 0x67676d6c;
constexpr int32_t max_type_length = 64;
constexpr int32_t max_name_length = 256;
constexpr int32_t max_dims = 4;
constexpr int32_t type_f32 = 0;
constexpr int32_t type_f16 = 1;
constexpr uintmax_t max_file_bytes = 4u << 20;

// Sequential little-endian reads, each checked against the bytes left.
class byte_reader {
public:
    byte_reader(const uint8_t * data, size_t size) : data_(data), size_(size) {}

    size_t left() const { return size_ - pos_; }
    size_t pos() const { return pos_; }

    const uint8_t * take(size_t n, const char * what) {
        if (n > left()) {
            throw native_error(errc::model_truncated, std::string("the VAD model file ends inside ") + what +
                                                          " (" + std::to_string(size_) + " bytes)");
        }
        const uint8_t * p = data_ + pos_;
        pos_ += n;
        return p;
    }

    int32_t i32(const char * what) {
        int32_t v;
        std::memcpy(&v, take(4, what), 4);  // the file is little-endian, as every supported host
        return v;
    }

private:
    const uint8_t * data_;
    size_t size_;
    size_t pos_ = 0;
};

[[noreturn]] void bad_hparams(const std::string & message) {
    throw native_error(errc::model_bad_hparams, "the VAD model file " + message);
}

// The expected shape (ggml order) of each tensor, and where its widened values go.
struct tensor_slot {
    std::vector<int64_t> ne;
    std::vector<float> * target;
    bool loaded = false;
};

std::string shape_text(const std::vector<int64_t> & ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) {
        s += (i ? ", " : "") + std::to_string(ne[i]);
    }
    return s + "]";
}

void read_header(byte_reader & r, silero_vad_weights & w) {
    if (r.left() < 4) {
        throw native_error(errc::model_truncated, "the VAD model file is " + std::to_string(r.left()) + " bytes long: too short for a GGML header");
    }
    if (static_cast<uint32_t>(r.i32("the magic")) != ggml_magic) {
        throw native_error(errc::model_bad_magic, "not a GGML file: it does not start with the magic 0x67676d6c");
    }
    const int32_t type_length = r.i32("the model type");
    if (type_length < 1 || type_length > max_type_length) {
        bad_hparams("gives a model type " + std::to_string(type_length) + " bytes long");
    }
    const uint8_t * type = r.take(static_cast<size_t>(type_length), "the model type");
    w.model_type.assign(reinterpret_cast<const char *>(type), static_cast<size_t>(type_length));
    if (w.model_type != "silero-16k") {
        bad_hparams("is a '" + w.model_type + "' model, not a Silero VAD ('silero-16k'): is it a Whisper model?");
    }
    for (int32_t & v : w.version) {
        v = r.i32("the version");
    }
    if (w.version[0] != 5 && w.version[0] != 6) {
        bad_hparams("holds Silero VAD version " + std::to_string(w.version[0]) + "." + std::to_string(w.version[1]) + "." +
                    std::to_string(w.version[2]) + "; versions 5 and 6 are supported");
    }
    // the architecture is fixed (strides and padding are not in the file): every value must match it
    namespace d = silero_vad_dims;
    const auto expect = [&](const char * what, int32_t want) {
        const int32_t got = r.i32("the hyperparameters");
        if (got != want) {
            bad_hparams("gives " + std::string(what) + " " + std::to_string(got) + " where Silero VAD has " + std::to_string(want));
        }
    };
    expect("a window size of", d::window);
    expect("a context size of", d::context);
    expect("encoder layers:", d::n_layers);
    for (int i = 0; i < d::n_layers; ++i) {
        const std::string layer = "encoder layer " + std::to_string(i);
        expect((layer + " input channels:").c_str(), d::conv_in[i]);
        expect((layer + " output channels:").c_str(), d::conv_out[i]);
        expect((layer + " kernel size:").c_str(), d::kernel);
    }
    expect("LSTM input size", d::hidden);
    expect("LSTM hidden size", d::hidden);
    expect("final conv input channels:", d::hidden);
    expect("final conv output channels:", 1);
}

} // namespace

silero_vad_weights silero_vad_parse(const uint8_t * data, size_t size) {
    namespace d = silero_vad_dims;
    silero_vad_weights w;
    byte_reader r(data, size);
    read_header(r, w);

    std::vector<float> final_bias;
    std::map<std::string, tensor_slot> slots;
    for (int i = 0; i < d::n_layers; ++i) {
        const std::string prefix = "_model.encoder." + std::to_string(i) + ".reparam_conv.";
        slots[prefix + "weight"] = {{d::kernel, d::conv_in[i], d::conv_out[i]}, &w.conv_w[i]};
        slots[prefix + "bias"] = {{d::conv_out[i]}, &w.conv_b[i]};
    }
    slots["_model.decoder.rnn.weight_ih"] = {{d::hidden, d::gates}, &w.lstm_w_ih};
    slots["_model.decoder.rnn.weight_hh"] = {{d::hidden, d::gates}, &w.lstm_w_hh};
    slots["_model.decoder.rnn.bias_ih"] = {{d::gates}, &w.lstm_b_ih};
    slots["_model.decoder.rnn.bias_hh"] = {{d::gates}, &w.lstm_b_hh};
    slots["_model.decoder.decoder.2.weight"] = {{d::hidden}, &w.final_w};
    slots["_model.decoder.decoder.2.bias"] = {{}, &final_bias};  // squeezed to 0 dimensions by the converter
    slots["_model.stft.forward_basis_buffer"] = {{d::n_fft, 1, 2 * d::n_bins}, &w.stft_basis};

    size_t n_loaded = 0;
    while (r.left() > 0) {
        const int32_t n_dims = r.i32("a tensor record header");
        const int32_t name_length = r.i32("a tensor record header");
        const int32_t type = r.i32("a tensor record header");
        if (n_dims < 0 || n_dims > max_dims) {
            throw native_error(errc::model_tensor_shape, "a tensor of the VAD model file has " + std::to_string(n_dims) + " dimensions (0 to 4 allowed)");
        }
        if (name_length < 1 || name_length > max_name_length) {
            throw native_error(errc::model_tensor_shape, "a tensor name of the VAD model file is " + std::to_string(name_length) + " bytes long (1 to 256 allowed)");
        }
        std::vector<int64_t> ne;
        for (int32_t i = 0; i < n_dims; ++i) {
            ne.push_back(r.i32("a tensor record header"));
        }
        const uint8_t * name_bytes = r.take(static_cast<size_t>(name_length), "a tensor name");
        const std::string name(reinterpret_cast<const char *>(name_bytes), static_cast<size_t>(name_length));
        if (type != type_f32 && type != type_f16) {
            // ggml's other types are its quantized formats (2 to 39; 4 and 5 were removed)
            const bool known = type > 1 && type < 40 && type != 4 && type != 5;
            throw native_error(known ? errc::model_unsupported_tensor_type : errc::model_unknown_tensor_type,
                               "tensor '" + name + "' of the VAD model file has ggml type " + std::to_string(type) +
                                   (known ? ": only F32 and F16 VAD weights are supported" : ", which is not a ggml type"));
        }
        const auto slot = slots.find(name);
        if (slot == slots.end()) {
            throw native_error(errc::model_tensor_shape, "tensor '" + name + "' is not part of a Silero VAD model");
        }
        if (slot->second.loaded) {
            throw native_error(errc::model_duplicate_tensor, "tensor '" + name + "' appears twice in the VAD model file");
        }
        const bool legacy_basis = name == "_model.stft.forward_basis_buffer" &&
                                  ne == std::vector<int64_t>{2 * d::n_bins, 1, d::n_fft};
        if (ne != slot->second.ne && !legacy_basis) {
            throw native_error(errc::model_tensor_shape, "tensor '" + name + "' has shape " + shape_text(ne) + " where Silero VAD has " +
                                                             shape_text(slot->second.ne));
        }
        // whisper.cpp's first v5.1.2 files wrote the basis extents unreversed; its values are in the same order
        w.legacy_stft_shape = w.legacy_stft_shape || legacy_basis;
        size_t count = 1;
        for (int64_t e : ne) {
            count *= static_cast<size_t>(e);
        }
        const size_t bytes = count * (type == type_f16 ? 2 : 4);
        const uint8_t * values = r.take(bytes, ("the data of tensor '" + name + "'").c_str());
        std::vector<float> & out = *slot->second.target;
        out.resize(count);
        for (size_t i = 0; i < count; ++i) {
            if (type == type_f16) {
                uint16_t h;
                std::memcpy(&h, values + 2 * i, 2);
                out[i] = fp16_to_fp32(h);
            } else {
                std::memcpy(&out[i], values + 4 * i, 4);
            }
        }
        // a NaN would be lost in the clamped SIMD exponential rather than reach the output: refused here
        if (!std::all_of(out.begin(), out.end(), [](float v) { return std::isfinite(v); })) {
            throw native_error(errc::numeric, "tensor '" + name + "' of the VAD model file holds NaN or Infinity: the file is corrupt");
        }
        slot->second.loaded = true;
        ++n_loaded;
    }
    if (n_loaded == 0) {
        throw native_error(errc::model_no_tensors, "the VAD model file has a header but no tensors");
    }
    for (const auto & [name, slot] : slots) {
        if (!slot.loaded) {
            throw native_error(errc::model_missing_tensor, "tensor '" + name + "' is missing from the VAD model file");
        }
    }
    w.final_b = final_bias[0];
    return w;
}

silero_vad_weights silero_vad_read_file(const std::string & path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw native_error(errc::model_not_found, "'" + path + "' is not a file: cannot read the VAD model from it");
    }
    const uintmax_t size = std::filesystem::file_size(path, ec);
    struct file_closer {
        void operator()(std::FILE * f) const { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.c_str(), "rb"));
    if (!f || ec) {
        throw native_error(errc::model_not_found, "cannot open the VAD model file '" + path + "'");
    }
    // every tensor in f32 is under 2 MB: a larger file (a Whisper model given by mistake) is
    // judged by its header alone instead of being read whole
    const size_t to_read = static_cast<size_t>(std::min<uintmax_t>(size, max_file_bytes));
    std::vector<uint8_t> bytes(to_read);
    if (std::fread(bytes.data(), 1, to_read, f.get()) != to_read) {
        throw native_error(errc::model_not_found, "cannot read the VAD model file '" + path + "'");
    }
    if (size > max_file_bytes) {
        silero_vad_weights w;
        byte_reader r(bytes.data(), bytes.size());
        read_header(r, w);
        throw native_error(errc::model_tensor_shape, "the VAD model file '" + path + "' is " + std::to_string(size) +
                                                         " bytes long: more than a Silero VAD's tensors");
    }
    return silero_vad_parse(bytes.data(), bytes.size());
}

} // namespace amanuensis

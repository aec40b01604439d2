// The native error type and every code the native layer raises. The codes are the
// AmanuensisErrorCode strings of src/errors.ts (a unit test checks that each one here exists
// there); the addon turns a native_error into the JS AmanuensisError with the same code.
#pragma once

#include <stdexcept>
#include <string>

namespace amanuensis {

namespace errc {
constexpr const char * invalid_argument = "ERR_INVALID_ARGUMENT";
constexpr const char * invalid_audio = "ERR_INVALID_AUDIO";
constexpr const char * model_not_found = "ERR_MODEL_NOT_FOUND";
constexpr const char * model_bad_magic = "ERR_MODEL_BAD_MAGIC";
constexpr const char * model_truncated = "ERR_MODEL_TRUNCATED";
constexpr const char * model_no_tensors = "ERR_MODEL_NO_TENSORS";
constexpr const char * model_bad_hparams = "ERR_MODEL_BAD_HPARAMS";
constexpr const char * model_unknown_tensor_type = "ERR_MODEL_UNKNOWN_TENSOR_TYPE";
constexpr const char * model_unsupported_tensor_type = "ERR_MODEL_UNSUPPORTED_TENSOR_TYPE";
constexpr const char * model_missing_tensor = "ERR_MODEL_MISSING_TENSOR";
constexpr const char * model_tensor_shape = "ERR_MODEL_TENSOR_SHAPE";
constexpr const char * model_duplicate_tensor = "ERR_MODEL_DUPLICATE_TENSOR";
constexpr const char * native = "ERR_NATIVE";
constexpr const char * out_of_memory = "ERR_OUT_OF_MEMORY";
constexpr const char * context_overflow = "ERR_CONTEXT_OVERFLOW";
constexpr const char * decoder_busy = "ERR_DECODER_BUSY";
constexpr const char * closed = "ERR_CLOSED";
constexpr const char * backend_unavailable = "ERR_BACKEND_UNAVAILABLE";
constexpr const char * backend = "ERR_BACKEND";
constexpr const char * numeric = "ERR_NUMERIC";
constexpr const char * aborted = "ERR_ABORTED";
} // namespace errc

// A failure with one of the codes above.
class native_error : public std::runtime_error {
public:
    native_error(std::string code, const std::string & message) : std::runtime_error(message), code_(std::move(code)) {}
    const std::string & code() const { return code_; }

private:
    std::string code_;
};

} // namespace amanuensis

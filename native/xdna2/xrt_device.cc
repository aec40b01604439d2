#include "xrt_device.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/whisper_model.h"

namespace amanuensis {

namespace {

[[noreturn]] void unavailable(const std::string & reason) { throw native_error(errc::backend_unavailable, reason); }

class xrt_gemm_device : public gemm_device {
public:
    explicit xrt_gemm_device(const xrt_device_config & config) : tile_(config.tile) {
        std::string reason;
        std::string detail;
        if (!xrt_library_load(config.library, lib_, reason, detail)) {
            unavailable(reason + " (" + detail + ")");
        }
        try {
            open(config);
        } catch (...) {
            close();
            throw;
        }
    }

    ~xrt_gemm_device() override { close(); }

    std::string name() const override { return "xrt"; }
    gemm_tile_shape tile() const override { return tile_; }
    int slots() const override { return static_cast<int>(slots_.size()); }
    uint16_t * a(int slot) override { return static_cast<uint16_t *>(slots_.at(slot).a_map); }
    uint16_t * b(int slot) override { return static_cast<uint16_t *>(slots_.at(slot).b_map); }
    const float * c(int slot) override { return static_cast<const float *>(slots_.at(slot).c_map); }

    void start(int slot) override {
        slot_state & s = slots_.at(slot);
        check(lib_.bo_sync(s.a, XRT_SYNC_TO_DEVICE, a_bytes(), 0), "xrtBOSync(A)");
        check(lib_.bo_sync(s.b, XRT_SYNC_TO_DEVICE, b_bytes(), 0), "xrtBOSync(B)");
        check(lib_.run_start(s.run), "xrtRunStart");
    }

    void wait(int slot) override {
        slot_state & s = slots_.at(slot);
        const int state = lib_.run_wait(s.run);
        if (state != XRT_CMD_STATE_COMPLETED) {
            throw native_error(errc::backend, "the NPU kernel ended in state " + std::to_string(state));
        }
        check(lib_.bo_sync(s.c, XRT_SYNC_FROM_DEVICE, c_bytes(), 0), "xrtBOSync(C)");
    }

private:
    struct slot_state {
        void * a = nullptr;
        void * b = nullptr;
        void * c = nullptr;
        void * a_map = nullptr;
        void * b_map = nullptr;
        void * c_map = nullptr;
        void * run = nullptr;
    };

    size_t a_bytes() const { return sizeof(uint16_t) * tile_.m * tile_.k; }
    size_t b_bytes() const { return sizeof(uint16_t) * tile_.k * tile_.n; }
    size_t c_bytes() const { return sizeof(float) * tile_.m * tile_.n; }

    static void check(int rc, const char * what) {
        if (rc != 0) {
            throw native_error(errc::backend, std::string(what) + " failed with " + std::to_string(rc));
        }
    }

    void open(const xrt_device_config & config) {
        const std::vector<uint32_t> words = read_instruction_stream(config.instructions);
        device_ = lib_.device_open(config.device_index);
        if (device_ == nullptr) {
            unavailable("XRT could not open NPU device " + std::to_string(config.device_index));
        }
        if (lib_.device_load_xclbin_file(device_, config.xclbin.c_str()) != 0) {
            unavailable("XRT could not load " + config.xclbin);
        }
        unsigned char uuid[16] = {};
        if (lib_.device_get_xclbin_uuid(device_, uuid) != 0) {
            unavailable("XRT could not read the xclbin's UUID");
        }
        kernel_ = lib_.kernel_open(device_, uuid, config.kernel_name.c_str());
        if (kernel_ == nullptr) {
            unavailable("the xclbin has no kernel named " + config.kernel_name);
        }
        auto alloc = [&](size_t bytes, uint64_t flags, int arg) {
            void * bo = lib_.bo_alloc(device_, bytes, flags, static_cast<uint32_t>(lib_.kernel_arg_group_id(kernel_, arg)));
            if (bo == nullptr) {
                unavailable("XRT could not allocate a " + std::to_string(bytes) + "-byte buffer");
            }
            buffers_.push_back(bo);
            return bo;
        };
        auto map = [&](void * bo) {
            void * p = lib_.bo_map(bo);
            if (p == nullptr) {
                unavailable("XRT could not map a buffer");
            }
            return p;
        };
        instructions_ = alloc(words.size() * sizeof(uint32_t), XRT_BO_FLAGS_CACHEABLE, 1);
        std::memcpy(map(instructions_), words.data(), words.size() * sizeof(uint32_t));
        check(lib_.bo_sync(instructions_, XRT_SYNC_TO_DEVICE, words.size() * sizeof(uint32_t), 0), "xrtBOSync(instructions)");
        slots_.resize(config.slots);
        for (slot_state & s : slots_) {
            s.a = alloc(a_bytes(), XRT_BO_FLAGS_HOST_ONLY, 3);
            s.b = alloc(b_bytes(), XRT_BO_FLAGS_HOST_ONLY, 4);
            s.c = alloc(c_bytes(), XRT_BO_FLAGS_HOST_ONLY, 5);
            s.a_map = map(s.a);
            s.b_map = map(s.b);
            s.c_map = map(s.c);
            s.run = lib_.run_open(kernel_);
            if (s.run == nullptr) {
                unavailable("XRT could not create a run handle");
            }
            // the arguments never change: each slot always uses its own buffers
            const uint64_t opcode = 3;
            check(lib_.run_set_arg(s.run, 0, opcode), "xrtRunSetArg(opcode)");
            check(lib_.run_set_arg(s.run, 1, instructions_), "xrtRunSetArg(instructions)");
            check(lib_.run_set_arg(s.run, 2, static_cast<uint32_t>(words.size())), "xrtRunSetArg(count)");
            check(lib_.run_set_arg(s.run, 3, s.a), "xrtRunSetArg(A)");
            check(lib_.run_set_arg(s.run, 4, s.b), "xrtRunSetArg(B)");
            check(lib_.run_set_arg(s.run, 5, s.c), "xrtRunSetArg(C)");
        }
    }

    void close() {
        if (lib_.dl == nullptr) {
            return;
        }
        for (slot_state & s : slots_) {
            if (s.run != nullptr) {
                lib_.run_close(s.run);
            }
        }
        slots_.clear();
        for (void * bo : buffers_) {
            lib_.bo_free(bo);
        }
        buffers_.clear();
        if (kernel_ != nullptr) {
            lib_.kernel_close(kernel_);
        }
        if (device_ != nullptr) {
            lib_.device_close(device_);
        }
        kernel_ = device_ = nullptr;
        xrt_library_unload(lib_);
    }

    gemm_tile_shape tile_;
    xrt_library lib_;
    void * device_ = nullptr;
    void * kernel_ = nullptr;
    void * instructions_ = nullptr;
    std::vector<void *> buffers_;
    std::vector<slot_state> slots_;
};

} // namespace

std::vector<uint32_t> read_instruction_stream(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        unavailable("kernel artifact not found: " + path);
    }
    std::vector<uint32_t> words;
    const bool text = path.size() > 4 && path.compare(path.size() - 4, 4, ".txt") == 0;
    if (text) {
        std::string line;
        while (std::getline(in, line)) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) {
                continue;
            }
            size_t used = 0;
            unsigned long word = 0;
            try {
                word = std::stoul(line, &used, 16);
            } catch (const std::exception &) {
                used = 0;
            }
            if (used == 0 || word > 0xffffffffUL) {
                unavailable("the instruction stream " + path + " has a line that is not a 32-bit hex word");
            }
            words.push_back(static_cast<uint32_t>(word));
        }
    } else {
        std::stringstream bytes;
        bytes << in.rdbuf();
        const std::string raw = bytes.str();
        if (raw.size() % 4 != 0) {
            unavailable("the instruction stream " + path + " is not a whole number of 32-bit words");
        }
        words.resize(raw.size() / 4);
        std::memcpy(words.data(), raw.data(), raw.size());
    }
    if (words.empty()) {
        unavailable("the instruction stream " + path + " is empty");
    }
    return words;
}

std::unique_ptr<gemm_device> open_xrt_gemm_device(const xrt_device_config & config) {
    return std::make_unique<xrt_gemm_device>(config);
}

} // namespace amanuensis

// whisper.cpp's own Silero VAD speech probabilities (whisper_vad_detect_speech), for
// bench/vad-whisper-cpp.ts: reads raw 16 kHz float32 samples, writes one float32 probability per
// 512-sample frame, and prints the milliseconds the detection took (model loading excluded).
//
// usage: whisper-cpp-vad-probs <model.bin> <samples.f32> <probabilities.f32> <threads>
#include "whisper.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

static void quiet_log(enum ggml_log_level, const char *, void *) {}

int main(int argc, char ** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <model.bin> <samples.f32> <probabilities.f32> <threads>\n", argv[0]);
        return 2;
    }
    whisper_log_set(quiet_log, nullptr);

    std::ifstream in(argv[2], std::ios::binary | std::ios::ate);
    if (!in) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        return 1;
    }
    const std::streamsize bytes = in.tellg();
    in.seekg(0);
    std::vector<float> samples(bytes / sizeof(float));
    in.read(reinterpret_cast<char *>(samples.data()), bytes);

    whisper_vad_context_params cparams = whisper_vad_default_context_params();
    cparams.n_threads = std::atoi(argv[4]);
    cparams.use_gpu = false;
    whisper_vad_context * vctx = whisper_vad_init_from_file_with_params(argv[1], cparams);
    if (vctx == nullptr) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }

    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = whisper_vad_detect_speech(vctx, samples.data(), static_cast<int>(samples.size()));
    const auto t1 = std::chrono::steady_clock::now();
    if (!ok) {
        fprintf(stderr, "whisper_vad_detect_speech failed\n");
        return 1;
    }

    std::ofstream out(argv[3], std::ios::binary);
    out.write(reinterpret_cast<const char *>(whisper_vad_probs(vctx)), sizeof(float) * whisper_vad_n_probs(vctx));
    printf("detect_ms %.3f\n", std::chrono::duration<double, std::milli>(t1 - t0).count());
    whisper_vad_free(vctx);
    return 0;
}

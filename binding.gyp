{
  "targets": [
    {
      "target_name": "amanuensis",
      "sources": [
        "native/addon.cc",
        "native/model_wrap.cc",
        "native/decoder_wrap.cc",
        "native/load_model_worker.cc",
        "native/encode_worker.cc",
        "native/decoder_worker.cc",
        "native/whisper_model.cc",
        "native/cpu_encoder.cc",
        "native/log_mel.cc",
        "native/log_mel_worker.cc",
        "native/decoder_step.cc",
        "native/parallel_ops.cc",
        "native/thread_pool.cc",
        "native/kernels/cpu_features.cc",
        "native/kernels/gemm.cc",
        "native/kernels/gemm_avx2.cc",
        "native/kernels/gemm_avx512.cc",
        "native/kernels/ops.cc",
        "native/kernels/ops_avx2.cc",
        "native/kernels/attention.cc",
        "native/bench/fma_peak.cc",
        "native/bench/kernel_bench.cc",
        "native/xdna2_wrap.cc",
        "native/xdna2/device_probe.cc",
        "native/xdna2/software_device.cc",
        "native/xdna2/tiled_gemm.cc",
        "native/xdna2/xdna2_encoder.cc",
        "native/xdna2/xrt_device.cc",
        "native/xdna2/xrt_library.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-pthread"],
      "libraries": ["-ldl"]
    }
  ]
}

{
  "target_defaults": {
    "defines": ["NAPI_VERSION=8"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
    "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fPIC", "-Wall", "-Wextra", "-Wno-unused-parameter"]
  },
  "targets": [
    {
      "target_name": "amanuensis_core",
      "type": "static_library",
      "sources": [
        "native/core/whisper_model.cc",
        "native/core/cpu_encoder.cc",
        "native/core/log_mel.cc",
        "native/core/decoder_step.cc",
        "native/core/decoder_align.cc",
        "native/core/alignment_matrix.cc",
        "native/core/token_loop.cc",
        "native/core/decode_scheduler.cc",
        "native/core/parallel_ops.cc",
        "native/core/thread_pool.cc",
        "native/vad/silero_vad_file.cc",
        "native/vad/silero_vad_model.cc",
        "native/vad/silero_vad_lstm.cc",
        "native/core/bench/fma_peak.cc",
        "native/core/bench/kernel_bench.cc",
        "native/kernels/cpu_features.cc",
        "native/kernels/gemm.cc",
        "native/kernels/quant.cc",
        "native/kernels/quant_avx2.cc",
        "native/kernels/gemv_quant_avx2.cc",
        "native/kernels/gemv_quant_avx512.cc",
        "native/kernels/gemv_quant_vnni.cc",
        "native/kernels/gemm_avx2.cc",
        "native/kernels/gemm_avx512.cc",
        "native/kernels/linear_block_avx512.cc",
        "native/kernels/attention_values_avx512.cc",
        "native/kernels/attention_lanes_avx512.cc",
        "native/kernels/ops.cc",
        "native/kernels/ops_avx2.cc",
        "native/kernels/exp_shifted.cc",
        "native/kernels/exp_shifted_avx2.cc",
        "native/kernels/attention.cc",
        "native/xdna2/device_probe.cc",
        "native/xdna2/software_device.cc",
        "native/xdna2/tiled_gemm.cc",
        "native/xdna2/xdna2_encoder.cc",
        "native/xdna2/xrt_device.cc",
        "native/xdna2/xrt_library.cc"
      ],
      "include_dirs": ["native"],
      "include_dirs!": [
        "<(node_root_dir)/include/node",
        "<(node_root_dir)/src",
        "<(node_root_dir)/deps/openssl/config",
        "<(node_root_dir)/deps/openssl/openssl/include",
        "<(node_root_dir)/deps/uv/include",
        "<(node_root_dir)/deps/zlib",
        "<(node_root_dir)/deps/v8/include"
      ],
      "comment": "No node-addon-api include path and no Node-API dependency: the compute core must not see napi.h (a Node-API include here fails the build).",
      "direct_dependent_settings": {
        "include_dirs": ["native"]
      }
    },
    {
      "target_name": "amanuensis",
      "sources": [
        "native/napi/addon.cc",
        "native/napi/js_error.cc",
        "native/napi/abort_flag.cc",
        "native/napi/model_wrap.cc",
        "native/napi/model_load.cc",
        "native/napi/log_mel_js.cc",
        "native/napi/decoder_wrap.cc",
        "native/napi/decoder_jobs.cc",
        "native/napi/decoder_align_js.cc",
        "native/napi/decode_loop_js.cc",
        "native/napi/xdna2_wrap.cc",
        "native/napi/bench_js.cc",
        "native/napi/linear_js.cc",
        "native/napi/vad_wrap.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "comment": "A worker thread being terminated (worker.terminate()) makes every Node-API call that could run JS fail, napi_throw included: node-addon-api then rethrows a Napi::Error out of its own catch, past Node's C frames, and the process aborts (seen while the addon's init or a native call ran as the worker was stopped). With this define it drops the error that can no longer be thrown: that environment has no one left to tell.",
      "dependencies": ["amanuensis_core", "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "ldflags": ["-pthread"],
      "libraries": ["-ldl"]
    }
  ]
}

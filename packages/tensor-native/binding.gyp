{
  "targets": [
    {
      "target_name": "tessera_tensor",
      "sources": [
        "src/native/addon.cpp",
        "src/native/allocator.cpp",
        "src/native/thread_pool.cpp",
        "src/native/cpu_features.cpp",
        "src/native/copy.cpp",
        "src/native/elementwise.cpp",
        "src/native/reduce.cpp",
        "src/native/random.cpp",
        "src/native/gather.cpp",
        "src/native/gemm.cpp",
        "src/native/gemm_generic.cpp",
        "src/native/vec_base.cpp",
        "src/native/conv.cpp",
        "src/native/conv_backward.cpp",
        "src/native/optim.cpp",
        "src/native/napi/meta.cpp",
        "src/native/cuda/addon_cuda.cpp",
        "src/native/cuda/addon_cuda_info.cpp",
        "src/native/cuda/arch.cpp",
        "src/native/cuda/caching_allocator.cpp",
        "src/native/cuda/compiler.cpp",
        "src/native/cuda/device.cpp",
        "src/native/cuda/dynlib.cpp",
        "src/native/cuda/kernel_cache.cpp",
        "src/native/cuda/launch.cpp",
        "src/native/cuda/loader.cpp",
        "src/native/cuda/ops_elementwise.cpp",
        "src/native/cuda/ops_gemm.cpp",
        "src/native/cuda/ops_rows.cpp",
        "src/native/cuda/ops_window.cpp",
        "src/native/cuda/sha256.cpp"
      ],
      "actions": [
        {
          "action_name": "embed_cuda_kernels",
          "inputs": [
            "scripts/embed-cuda-kernels.mjs",
            "src/native/cuda/kernels/elementwise.cu",
            "src/native/cuda/kernels/copy.cu",
            "src/native/cuda/kernels/reduce.cu",
            "src/native/cuda/kernels/random.cu",
            "src/native/cuda/kernels/index.cu",
            "src/native/cuda/kernels/window.cu",
            "src/native/cuda/kernels/optim.cu",
            "src/native/cuda/kernels/matmul_int.cu",
            "src/native/cuda/kernels/tt_args.h",
            "src/native/cuda/kernels/tt_common.cuh",
            "src/native/cuda/kernels/tt_philox.h",
            "src/native/ops.h"
          ],
          "outputs": ["<(INTERMEDIATE_DIR)/cuda_kernel_sources.h"],
          "action": ["node", "scripts/embed-cuda-kernels.mjs", "<@(_outputs)", "<@(_inputs)"]
        }
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<(INTERMEDIATE_DIR)"],
      "dependencies": ["isa_avx2", "isa_avx512"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-pthread"],
      "ldflags": ["-pthread"],
      "libraries": ["-ldl"]
    },
    {
      "target_name": "isa_avx2",
      "type": "static_library",
      "sources": ["src/native/vec_avx2.cpp", "src/native/gemm_avx2.cpp"],
      "cflags!": ["-O2"],
      "cflags_cc!": ["-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-mavx2", "-mfma", "-mf16c", "-fPIC"]
    },
    {
      "target_name": "isa_avx512",
      "type": "static_library",
      "sources": ["src/native/vec_avx512.cpp", "src/native/gemm_avx512.cpp"],
      "cflags!": ["-O2"],
      "cflags_cc!": ["-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw", "-mavx2", "-mfma", "-fPIC"]
    }
  ]
}

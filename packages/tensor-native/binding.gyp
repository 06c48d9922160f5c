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
        "src/native/optim.cpp"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["isa_avx2", "isa_avx512"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-pthread"],
      "ldflags": ["-pthread"]
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

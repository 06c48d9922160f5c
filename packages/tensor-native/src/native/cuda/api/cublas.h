// Our own declarations of the cuBLAS / cuBLASLt calls we make (CUDA 11+ enums). With
// TT_CUBLAS_OFFICIAL_TYPES the types come from a real cublas_api.h, for the declaration check.
#pragma once
#include <cstddef>

namespace tt::cublas {

#ifdef TT_CUBLAS_OFFICIAL_TYPES
using Status = ::cublasStatus_t;
using Handle = ::cublasHandle_t;
using Stream = ::cudaStream_t;
using Op = ::cublasOperation_t;
using Math = ::cublasMath_t;
using DataType = ::cudaDataType;
using ComputeType = ::cublasComputeType_t;
using Algo = ::cublasGemmAlgo_t;
#else
using Status = int;
using Handle = struct cublasContext*;
using Stream = struct CUstream_st*;  // cudaStream_t and CUstream are the same handle
using Op = int;
using Math = int;
using DataType = int;
using ComputeType = int;
using Algo = int;
#endif
constexpr int kSuccess = 0;
constexpr int kOpN = 0, kOpT = 1;
constexpr int kDefaultMath = 0, kTf32TensorOpMath = 3;
constexpr int kR32F = 0, kR64F = 1, kR16F = 2, kR16BF = 14;  // cudaDataType
constexpr int kCompute32F = 68;                              // cublasComputeType_t
constexpr int kGemmDefault = -1;

using PFN_cublasCreate_v2 = Status (*)(Handle* handle);
using PFN_cublasSetStream_v2 = Status (*)(Handle handle, Stream stream);
using PFN_cublasSetMathMode = Status (*)(Handle handle, Math mode);
using PFN_cublasGetVersion_v2 = Status (*)(Handle handle, int* version);
using PFN_cublasGetStatusString = const char* (*)(Status status);  // optional (11.4.2+)
using PFN_cublasSgemmStridedBatched = Status (*)(Handle, Op transa, Op transb, int m, int n, int k, const float* alpha, const float* A,
                                                 int lda, long long strideA, const float* B, int ldb, long long strideB, const float* beta,
                                                 float* C, int ldc, long long strideC, int batch);
using PFN_cublasDgemmStridedBatched = Status (*)(Handle, Op transa, Op transb, int m, int n, int k, const double* alpha, const double* A,
                                                 int lda, long long strideA, const double* B, int ldb, long long strideB,
                                                 const double* beta, double* C, int ldc, long long strideC, int batch);
using PFN_cublasGemmStridedBatchedEx = Status (*)(Handle, Op transa, Op transb, int m, int n, int k, const void* alpha, const void* A,
                                                  DataType Atype, int lda, long long strideA, const void* B, DataType Btype, int ldb,
                                                  long long strideB, const void* beta, void* C, DataType Ctype, int ldc, long long strideC,
                                                  int batch, ComputeType computeType, Algo algo);
using PFN_cublasLtGetVersion = size_t (*)();

}  // namespace tt::cublas

// The AVX-512 (F, DQ, BW, VL) level, 16 lanes, on x86-64 only.
#if defined(__x86_64__)
#define PK_WIDTH 16
#define PK_NAME pk_kernels_avx512
#define PK_LEVEL PKLevelAVX512
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))), apply_to = function)
#include "KernelBody.h"
#pragma clang attribute pop
#endif

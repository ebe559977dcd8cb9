// The AVX2 + FMA level, 8 lanes, on x86-64 only.
#if defined(__x86_64__)
#define PK_WIDTH 8
#define PK_NAME pk_kernels_avx2
#define PK_LEVEL PKLevelAVX2
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include "KernelBody.h"
#pragma clang attribute pop
#endif

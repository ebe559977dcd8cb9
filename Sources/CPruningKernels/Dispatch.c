// Chooses the kernel level once: cpuid for what the processor has, XGETBV for what the operating
// system saves on a context switch (AVX state for AVX2, opmask and ZMM state for AVX-512), then
// the PRUNING_SIMD environment variable, which can only lower the level.
#include "CPruningKernels.h"
#include <stdlib.h>
#include <string.h>

extern const PKKernels pk_kernels_portable;
#if defined(__x86_64__)
extern const PKKernels pk_kernels_avx2;
extern const PKKernels pk_kernels_avx512;
#include <cpuid.h>

static unsigned long long readXCR0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static int detectLevel(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return PKLevelPortable;
    int hasFMA = (ecx >> 12) & 1, hasOSXSAVE = (ecx >> 27) & 1, hasAVX = (ecx >> 28) & 1;
    if (!(hasFMA && hasOSXSAVE && hasAVX)) return PKLevelPortable;
    unsigned long long xcr0 = readXCR0();
    if ((xcr0 & 0x6) != 0x6) return PKLevelPortable;  // XMM and YMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return PKLevelPortable;
    int hasAVX2 = (ebx >> 5) & 1;
    if (!hasAVX2) return PKLevelPortable;
    int hasAVX512F = (ebx >> 16) & 1, hasAVX512DQ = (ebx >> 17) & 1;
    int hasAVX512BW = (ebx >> 30) & 1, hasAVX512VL = (ebx >> 31) & 1;
    int zmmState = (xcr0 & 0xE0) == 0xE0;  // opmask, upper ZMM0–15, ZMM16–31
    if (hasAVX512F && hasAVX512DQ && hasAVX512BW && hasAVX512VL && zmmState) return PKLevelAVX512;
    return PKLevelAVX2;
}
#else
static int detectLevel(void) { return PKLevelPortable; }
#endif

int pk_level_from_name(const char *name, int detected) {
    if (!name || !*name) return detected;
    int wanted = detected;
    if (strcmp(name, "portable") == 0 || strcmp(name, "scalar") == 0) wanted = PKLevelPortable;
    else if (strcmp(name, "avx2") == 0) wanted = PKLevelAVX2;
    else if (strcmp(name, "avx512") == 0) wanted = PKLevelAVX512;
    return wanted < detected ? wanted : detected;
}

static int requestedLevel(int detected) { return pk_level_from_name(getenv("PRUNING_SIMD"), detected); }

static int detectedLevel = -1;
static int activeLevel = -1;

static void chooseLevel(void) {
    // Idempotent and race-free in effect: every thread computes the same values.
    int detected = detectLevel();
    int active = requestedLevel(detected);
    __atomic_store_n(&detectedLevel, detected, __ATOMIC_RELEASE);
    __atomic_store_n(&activeLevel, active, __ATOMIC_RELEASE);
}

int pk_detected_level(void) {
    if (__atomic_load_n(&detectedLevel, __ATOMIC_ACQUIRE) < 0) chooseLevel();
    return detectedLevel;
}

int pk_active_level(void) {
    if (__atomic_load_n(&activeLevel, __ATOMIC_ACQUIRE) < 0) chooseLevel();
    return activeLevel;
}

const PKKernels *pk_kernels(int level) {
    if (level < PKLevelPortable || level > pk_detected_level()) return NULL;
    switch (level) {
#if defined(__x86_64__)
    case PKLevelAVX512: return &pk_kernels_avx512;
    case PKLevelAVX2: return &pk_kernels_avx2;
#endif
    default: return &pk_kernels_portable;
    }
}

const PKKernels *pk_active_kernels(void) { return pk_kernels(pk_active_level()); }

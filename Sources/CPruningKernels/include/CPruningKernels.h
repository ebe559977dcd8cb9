// Vectorized float32 kernels of PruningCore, built three times (portable, AVX2 + FMA, AVX-512)
// with per-function target attributes and chosen once at start-up from cpuid.
//
// The portable level is compiled for the package's baseline target (SSE2 on x86-64, NEON on
// arm64). `PRUNING_SIMD=portable|avx2|avx512` in the environment forces a level (clamped to what
// the processor and the operating system support); `pk_kernels(level)` hands out the table of
// any supported level so that tests can check every level in one process.
#ifndef CPRUNINGKERNELS_H
#define CPRUNINGKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels, lowest first.
typedef enum PKLevel {
    PKLevelPortable = 0,
    PKLevelAVX2 = 1,
    PKLevelAVX512 = 2,
} PKLevel;

/// Binary operations of `binary`.
typedef enum PKBinaryOp {
    PKBinaryAdd = 0,
    PKBinarySubtract = 1,
    PKBinaryMultiply = 2,
    PKBinaryDivide = 3,
    PKBinaryMaximum = 4,
    PKBinaryMinimum = 5,
    /// `max(a + b, 0)` (a residual connection followed by a ReLU).
    PKBinaryAddReLU = 6,
} PKBinaryOp;

/// Unary operations of `unary`.
typedef enum PKUnaryOp {
    PKUnaryNegate = 0,
    PKUnaryReLU = 1,
    PKUnaryExp = 2,
    PKUnarySigmoid = 3,
    PKUnaryTanh = 4,
    PKUnarySiLU = 5,
    PKUnaryGELU = 6,
    PKUnaryGELUTanh = 7,
    PKUnarySqrt = 8,
    PKUnaryGELUDerivative = 9,
} PKUnaryOp;

/// The kernels of one level. Counts are element counts; pointers need no alignment.
typedef struct PKKernels {
    /// The level these kernels were built for.
    int level;
    /// `out[i] = a[i·strideA] op b[i·strideB]`, strides 0 (a broadcast scalar) or 1.
    void (*binary)(int op, const float *a, ptrdiff_t strideA, const float *b, ptrdiff_t strideB,
                   float *out, ptrdiff_t count);
    /// `out[i] = op(x[i])`; `out` may equal `x`.
    void (*unary)(int op, const float *x, float *out, ptrdiff_t count);
    /// `out[i] = x[i] > 0 ? g[i] : 0` (the gradient of ReLU).
    void (*reluBackward)(const float *g, const float *x, float *out, ptrdiff_t count);
    /// `destination[i] += source[i]`.
    void (*accumulate)(float *destination, const float *source, ptrdiff_t count);
    /// The sum and the sum of squared deviations from the segment's own mean, in double.
    void (*moments)(const float *x, ptrdiff_t count, double *sum, double *squares);
    /// `out[i] = x[i]·scale + shift`, then `max(·, 0)` when `relu` is non-zero.
    void (*affine)(const float *x, float *out, ptrdiff_t count, float scale, float shift, int relu);
    /// `Σ g[i]` and `Σ g[i]·(x[i] − center)`, in double. With a `mask` (not NULL), `g[i]`
    /// counts only where `mask[i] > 0` (a ReLU's output).
    void (*gradientSums)(const float *g, const float *mask, const float *x, ptrdiff_t count, float center,
                         double *sumG, double *sumGX);
    /// `out[i] = α·g[i] + β·(x[i] − center) + γ`, with `g[i]` taken as 0 where a `mask` (not
    /// NULL) is not positive.
    void (*combine)(const float *g, const float *mask, const float *x, float *out, ptrdiff_t count,
                    float alpha, float beta, float center, float gamma);
    /// Row-wise stable softmax of `rows × columns` (contiguous rows); `out` may equal `x`. A row
    /// that is entirely −inf gives zeros.
    void (*softmaxRows)(const float *x, float *out, ptrdiff_t rows, ptrdiff_t columns);
    /// The softmax gradient per row: `out = y ⊙ (g − Σ g⊙y)`.
    void (*softmaxBackwardRows)(const float *y, const float *g, float *out, ptrdiff_t rows,
                                ptrdiff_t columns);
    /// Row-wise normalization of `rows × columns`: `out = (x − mean)·rstd·weight + bias` with
    /// `rstd = 1/√(variance + ε)` (layer norm) or, when `centering` is zero, mean 0 and
    /// `rstd = 1/√(mean(x²) + ε)` (RMS norm). `weight`/`bias` may be NULL. When `statistics` is
    /// not NULL it receives each row's mean and rstd, interleaved.
    void (*normalizeRows)(const float *x, const float *weight, const float *bias, float *out,
                          float *statistics, ptrdiff_t rows, ptrdiff_t columns, float epsilon,
                          int centering);
    /// The gradient of a unary operation: `out = g · f′`, where `v` is the operation's input
    /// for GELU, GELU (tanh form) and SiLU, and its output for sigmoid and tanh.
    void (*unaryBackward)(int op, const float *g, const float *v, float *out, ptrdiff_t count);
    /// The input gradient of `normalizeRows` for each row (written to `dx` when not NULL), and the
    /// weight and bias gradients accumulated into `dweight` and `dbias` (`columns` each) when not
    /// NULL; `statistics` holds each row's mean and rstd, interleaved, as `normalizeRows` wrote.
    void (*normalizeRowsBackward)(const float *x, const float *g, const float *statistics,
                                  const float *weight, float *dx, float *dweight, float *dbias,
                                  ptrdiff_t rows, ptrdiff_t columns, int centering);
    /// Copies `runs` runs of `length` contiguous elements, the source runs `sourceStride` and
    /// the destination runs `destinationStride` elements apart (the inner loops of a
    /// permutation, or of padding an image). Source and destination must not overlap.
    void (*copyRuns)(const float *source, ptrdiff_t sourceStride, float *destination,
                     ptrdiff_t destinationStride, ptrdiff_t runs, ptrdiff_t length);
    /// `affine` over `runs` runs laid out as in `copyRuns`: `destination = source·scale + shift`,
    /// then `max(·, 0)` when `relu` is non-zero. Source and destination must not overlap.
    void (*affineRuns)(const float *source, ptrdiff_t sourceStride, float *destination,
                       ptrdiff_t destinationStride, ptrdiff_t runs, ptrdiff_t length, float scale,
                       float shift, int relu);
} PKKernels;

/// The highest level this processor and operating system support.
int pk_detected_level(void);

/// The level in use: the detected one, or the one `PRUNING_SIMD` asks for if it is supported.
int pk_active_level(void);

/// The level `name` (a `PRUNING_SIMD` value: "portable" or "scalar", "avx2", "avx512") asks
/// for on a machine whose highest level is `detected`: never above `detected`; an empty, NULL
/// or unknown name leaves `detected`.
int pk_level_from_name(const char *name, int detected);

/// The kernels in use (of `pk_active_level()`).
const PKKernels *pk_active_kernels(void);

/// The kernels of `level`, or NULL when this machine cannot run them.
const PKKernels *pk_kernels(int level);

/// libm's `pow(x, y)`, called as such: never folded into `x * x` for `y == 2`, which rounds
/// differently from glibc's `pow` in about 1 case in 1,200.
double pk_libm_pow(double x, double y);

#ifdef __cplusplus
}
#endif

#endif

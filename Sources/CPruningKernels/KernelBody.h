// The kernels of one instruction-set level, written once on clang's portable vector types.
//
// A level file defines PK_WIDTH (lanes per vector) and PK_NAME (the exported table's name),
// optionally wraps the inclusion in `#pragma clang attribute push(target(...))`, and includes
// this file. Tails are computed in a zero-padded vector, so every element of a call goes
// through the same vector code and results do not depend on where an element falls.

#include "CPruningKernels.h"
#include <math.h>
#include <stdint.h>

typedef float pk_v __attribute__((ext_vector_type(PK_WIDTH)));
typedef int32_t pk_vi __attribute__((ext_vector_type(PK_WIDTH)));
typedef double pk_vd __attribute__((ext_vector_type(PK_WIDTH)));

#define W PK_WIDTH

static inline pk_v load(const float *p) {
    pk_v v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
static inline void store(float *p, pk_v v) { __builtin_memcpy(p, &v, sizeof v); }
static inline pk_v loadPartial(const float *p, ptrdiff_t count) {
    float buffer[W] = {0};
    __builtin_memcpy(buffer, p, (size_t)count * sizeof(float));
    return load(buffer);
}
static inline void storePartial(float *p, pk_v v, ptrdiff_t count) {
    float buffer[W];
    store(buffer, v);
    __builtin_memcpy(p, buffer, (size_t)count * sizeof(float));
}
static inline pk_v splat(float value) { return (pk_v)(value); }
static inline pk_v select(pk_vi mask, pk_v whenTrue, pk_v whenFalse) {
    return (pk_v)((mask & (pk_vi)whenTrue) | (~mask & (pk_vi)whenFalse));
}
static inline float laneSum(pk_v v) {
    float total = 0;
    for (int i = 0; i < W; i++) total += v[i];
    return total;
}
static inline float laneMax(pk_v v) {
    float best = v[0];
    for (int i = 1; i < W; i++) best = v[i] > best ? v[i] : best;
    return best;
}
static inline pk_v vabs(pk_v x) { return (pk_v)((pk_vi)x & (pk_vi)(0x7FFFFFFF)); }
static inline pk_v vmax(pk_v a, pk_v b) { return select(a >= b, a, b); }
static inline pk_v vmin(pk_v a, pk_v b) { return select(a <= b, a, b); }

// e^x: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, 2^n from exponent bits
// (as two factors so that n = 128 and n = −126 stay representable). Saturates to inf / 0 beyond
// ±88.7; NaN stays NaN. Relative error about 2 ulp.
static inline pk_v vexp(pk_v x) {
    const pk_v lower = splat(-87.33654f), upper = splat(88.72283f);
    pk_v clamped = select(x < lower, lower, x);
    clamped = select(clamped > upper, upper, clamped);
    const pk_v magic = splat(12582912.0f);
    pk_v shifted = clamped * 1.442695040888963f + magic;
    pk_v n = shifted - magic;
    pk_vi whole = (pk_vi)shifted - 0x4B400000;
    pk_v r = clamped - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    pk_v p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    pk_vi half = whole >> 1;
    pk_v first = (pk_v)((half + 127) << 23);
    pk_v second = (pk_v)((whole - half + 127) << 23);
    pk_v result = p * first * second;
    result = select(x > upper, splat(INFINITY), result);
    result = select(x < lower, splat(0.0f), result);
    return select(x != x, x, result);
}

static inline pk_v vsigmoid(pk_v x) { return 1.0f / (1.0f + vexp(-x)); }

// tanh(x) = sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|}), with a polynomial for |x| < 0.0625.
static inline pk_v vtanh(pk_v x) {
    pk_v a = vabs(x);
    pk_v e = vexp(-2.0f * a);
    pk_v result = (1.0f - e) / (1.0f + e);
    pk_v x2 = x * x;
    pk_v small = x * (1.0f + x2 * (-0.33333333f + x2 * (0.13333333f + x2 * -0.053968254f)));
    result = select(x < 0.0f, -result, result);
    return select(a < 0.0625f, small, result);
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
static inline pk_v verf(pk_v x) {
    pk_v a = vabs(x);
    pk_v t = 1.0f / (1.0f + 0.3275911f * a);
    pk_v y = splat(1.061405429f);
    y = y * t - 1.453152027f;
    y = y * t + 1.421413741f;
    y = y * t - 0.284496736f;
    y = y * t + 0.254829592f;
    pk_v result = 1.0f - y * t * vexp(-a * a);
    return select(x < 0.0f, -result, result);
}

static inline pk_v applyUnary(int op, pk_v x) {
    switch (op) {
    case PKUnaryNegate: return -x;
    case PKUnaryReLU: return select(x > 0.0f, x, splat(0.0f));
    case PKUnaryExp: return vexp(x);
    case PKUnarySigmoid: return vsigmoid(x);
    case PKUnaryTanh: return vtanh(x);
    case PKUnarySiLU: return x * vsigmoid(x);
    case PKUnaryGELU: return 0.5f * x * (1.0f + verf(x * 0.70710678118654752f));
    case PKUnaryGELUTanh:
        return 0.5f * x * (1.0f + vtanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case PKUnarySqrt: return __builtin_elementwise_sqrt(x);
    case PKUnaryGELUDerivative: {
        pk_v cdf = 0.5f * (1.0f + verf(x * 0.70710678118654752f));
        pk_v pdf = vexp(-0.5f * x * x) * 0.3989422804014327f;
        return cdf + x * pdf;
    }
    default: return x;
    }
}

// One loop per operation so that the switch stays outside the loop.
#define PK_UNARY_LOOP(OP)                                                                       \
    {                                                                                           \
        ptrdiff_t i = 0;                                                                        \
        for (; i + W <= count; i += W) store(out + i, applyUnary(OP, load(x + i)));            \
        if (i < count) storePartial(out + i, applyUnary(OP, loadPartial(x + i, count - i)), count - i); \
        return;                                                                                 \
    }

static void unaryKernel(int op, const float *x, float *out, ptrdiff_t count) {
    switch (op) {
    case PKUnaryNegate: PK_UNARY_LOOP(PKUnaryNegate)
    case PKUnaryReLU: PK_UNARY_LOOP(PKUnaryReLU)
    case PKUnaryExp: PK_UNARY_LOOP(PKUnaryExp)
    case PKUnarySigmoid: PK_UNARY_LOOP(PKUnarySigmoid)
    case PKUnaryTanh: PK_UNARY_LOOP(PKUnaryTanh)
    case PKUnarySiLU: PK_UNARY_LOOP(PKUnarySiLU)
    case PKUnaryGELU: PK_UNARY_LOOP(PKUnaryGELU)
    case PKUnaryGELUTanh: PK_UNARY_LOOP(PKUnaryGELUTanh)
    case PKUnarySqrt: PK_UNARY_LOOP(PKUnarySqrt)
    case PKUnaryGELUDerivative: PK_UNARY_LOOP(PKUnaryGELUDerivative)
    default: return;
    }
}

static inline pk_v applyBinary(int op, pk_v a, pk_v b) {
    switch (op) {
    case PKBinaryAdd: return a + b;
    case PKBinarySubtract: return a - b;
    case PKBinaryMultiply: return a * b;
    case PKBinaryDivide: return a / b;
    case PKBinaryMaximum: return vmax(a, b);
    case PKBinaryMinimum: return vmin(a, b);
    case PKBinaryAddReLU: { pk_v sum = a + b; return select(sum > 0.0f, sum, splat(0.0f)); }
    default: return a;
    }
}

#define PK_BINARY_LOOP(OP)                                                                      \
    {                                                                                           \
        ptrdiff_t i = 0;                                                                        \
        if (strideA == 1 && strideB == 1) {                                                     \
            for (; i + W <= count; i += W) store(out + i, applyBinary(OP, load(a + i), load(b + i))); \
            if (i < count)                                                                      \
                storePartial(out + i, applyBinary(OP, loadPartial(a + i, count - i), loadPartial(b + i, count - i)), count - i); \
        } else if (strideA == 1) {                                                              \
            pk_v s = splat(b[0]);                                                               \
            for (; i + W <= count; i += W) store(out + i, applyBinary(OP, load(a + i), s));     \
            if (i < count) storePartial(out + i, applyBinary(OP, loadPartial(a + i, count - i), s), count - i); \
        } else if (strideB == 1) {                                                              \
            pk_v s = splat(a[0]);                                                               \
            for (; i + W <= count; i += W) store(out + i, applyBinary(OP, s, load(b + i)));     \
            if (i < count) storePartial(out + i, applyBinary(OP, s, loadPartial(b + i, count - i)), count - i); \
        } else {                                                                                \
            pk_v s = applyBinary(OP, splat(a[0]), splat(b[0]));                                 \
            for (; i + W <= count; i += W) store(out + i, s);                                   \
            if (i < count) storePartial(out + i, s, count - i);                                 \
        }                                                                                       \
        return;                                                                                 \
    }

static void binaryKernel(int op, const float *a, ptrdiff_t strideA, const float *b, ptrdiff_t strideB,
                         float *out, ptrdiff_t count) {
    switch (op) {
    case PKBinaryAdd: PK_BINARY_LOOP(PKBinaryAdd)
    case PKBinarySubtract: PK_BINARY_LOOP(PKBinarySubtract)
    case PKBinaryMultiply: PK_BINARY_LOOP(PKBinaryMultiply)
    case PKBinaryDivide: PK_BINARY_LOOP(PKBinaryDivide)
    case PKBinaryMaximum: PK_BINARY_LOOP(PKBinaryMaximum)
    case PKBinaryMinimum: PK_BINARY_LOOP(PKBinaryMinimum)
    case PKBinaryAddReLU: PK_BINARY_LOOP(PKBinaryAddReLU)
    default: return;
    }
}

static void reluBackwardKernel(const float *g, const float *x, float *out, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + W <= count; i += W) store(out + i, select(load(x + i) > 0.0f, load(g + i), splat(0.0f)));
    if (i < count) {
        ptrdiff_t rest = count - i;
        storePartial(out + i, select(loadPartial(x + i, rest) > 0.0f, loadPartial(g + i, rest), splat(0.0f)), rest);
    }
}

static void accumulateKernel(float *destination, const float *source, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + W <= count; i += W) store(destination + i, load(destination + i) + load(source + i));
    for (; i < count; i++) destination[i] += source[i];
}

static void momentsKernel(const float *x, ptrdiff_t count, double *sum, double *squares) {
    if (count <= 0) {
        *sum = 0;
        *squares = 0;
        return;
    }
    pk_v partial = splat(0.0f);
    ptrdiff_t i = 0;
    for (; i + W <= count; i += W) partial += load(x + i);
    if (i < count) partial += loadPartial(x + i, count - i);
    double total = (double)laneSum(partial);
    float mean = (float)(total / (double)count);
    pk_v deviations = splat(0.0f);
    i = 0;
    for (; i + W <= count; i += W) {
        pk_v d = load(x + i) - mean;
        deviations += d * d;
    }
    float tail = 0;
    for (; i < count; i++) {
        float d = x[i] - mean;
        tail += d * d;
    }
    // The mean was rounded to float; correct the squares for the rounding (Σd = total − n·mean).
    double offset = total - (double)count * (double)mean;
    *sum = total;
    *squares = (double)laneSum(deviations) + (double)tail - offset * offset / (double)count;
}

static void affineKernel(const float *x, float *out, ptrdiff_t count, float scale, float shift, int relu) {
    ptrdiff_t i = 0;
    pk_v a = splat(scale), b = splat(shift), zero = splat(0.0f);
    if (relu) {
        for (; i + W <= count; i += W) store(out + i, vmax(load(x + i) * a + b, zero));
        if (i < count) storePartial(out + i, vmax(loadPartial(x + i, count - i) * a + b, zero), count - i);
    } else {
        for (; i + W <= count; i += W) store(out + i, load(x + i) * a + b);
        if (i < count) storePartial(out + i, loadPartial(x + i, count - i) * a + b, count - i);
    }
}

static inline pk_v maskedLoad(const float *g, const float *mask, ptrdiff_t i) {
    return mask ? select(load(mask + i) > 0.0f, load(g + i), splat(0.0f)) : load(g + i);
}
static inline pk_v maskedLoadPartial(const float *g, const float *mask, ptrdiff_t i, ptrdiff_t rest) {
    pk_v gv = loadPartial(g + i, rest);
    return mask ? select(loadPartial(mask + i, rest) > 0.0f, gv, splat(0.0f)) : gv;
}

static void gradientSumsKernel(const float *g, const float *mask, const float *x, ptrdiff_t count, float center,
                               double *sumG, double *sumGX) {
    pk_v sg = splat(0.0f), sgx = splat(0.0f);
    ptrdiff_t i = 0;
    for (; i + W <= count; i += W) {
        pk_v gv = maskedLoad(g, mask, i);
        sg += gv;
        sgx += gv * (load(x + i) - center);
    }
    if (i < count) {
        ptrdiff_t rest = count - i;
        pk_v gv = maskedLoadPartial(g, mask, i, rest);
        sg += gv;
        sgx += gv * (loadPartial(x + i, rest) - center);  // padded g lanes are 0
    }
    *sumG = (double)laneSum(sg);
    *sumGX = (double)laneSum(sgx);
}

static void combineKernel(const float *g, const float *mask, const float *x, float *out, ptrdiff_t count,
                          float alpha, float beta, float center, float gamma) {
    ptrdiff_t i = 0;
    for (; i + W <= count; i += W) store(out + i, alpha * maskedLoad(g, mask, i) + (beta * (load(x + i) - center) + gamma));
    if (i < count) {
        ptrdiff_t rest = count - i;
        storePartial(out + i, alpha * maskedLoadPartial(g, mask, i, rest) + (beta * (loadPartial(x + i, rest) - center) + gamma), rest);
    }
}

static void softmaxRowsKernel(const float *x, float *out, ptrdiff_t rows, ptrdiff_t columns) {
    if (columns <= 0) return;
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *xs = x + row * columns;
        float *ys = out + row * columns;
        pk_v best = splat(-INFINITY);
        ptrdiff_t i = 0;
        for (; i + W <= columns; i += W) best = vmax(best, load(xs + i));
        float maximum = laneMax(best);
        for (; i < columns; i++) maximum = xs[i] > maximum ? xs[i] : maximum;
        if (maximum == -INFINITY) {
            for (i = 0; i < columns; i++) ys[i] = 0;
            continue;
        }
        pk_v total = splat(0.0f);
        i = 0;
        for (; i + W <= columns; i += W) {
            pk_v e = vexp(load(xs + i) - maximum);
            store(ys + i, e);
            total += e;
        }
        float sum = laneSum(total);
        if (i < columns) {
            ptrdiff_t rest = columns - i;
            pk_v e = vexp(loadPartial(xs + i, rest) - maximum);
            storePartial(ys + i, e, rest);
            for (ptrdiff_t k = 0; k < rest; k++) sum += ys[i + k];
        }
        pk_v inverse = splat(1.0f / sum);
        i = 0;
        for (; i + W <= columns; i += W) store(ys + i, load(ys + i) * inverse);
        for (; i < columns; i++) ys[i] *= inverse[0];
    }
}

static void softmaxBackwardRowsKernel(const float *y, const float *g, float *out, ptrdiff_t rows,
                                      ptrdiff_t columns) {
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *ys = y + row * columns;
        const float *gs = g + row * columns;
        float *os = out + row * columns;
        pk_v partial = splat(0.0f);
        ptrdiff_t i = 0;
        for (; i + W <= columns; i += W) partial += load(gs + i) * load(ys + i);
        float dot = laneSum(partial);
        for (; i < columns; i++) dot += gs[i] * ys[i];
        i = 0;
        for (; i + W <= columns; i += W) store(os + i, load(ys + i) * (load(gs + i) - dot));
        for (; i < columns; i++) os[i] = ys[i] * (gs[i] - dot);
    }
}

static void normalizeRowsKernel(const float *x, const float *weight, const float *bias, float *out,
                                float *statistics, ptrdiff_t rows, ptrdiff_t columns, float epsilon,
                                int centering) {
    if (columns <= 0) return;
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *xs = x + row * columns;
        float *ys = out + row * columns;
        float m = 0, r;
        if (centering) {
            double sum, squares;
            momentsKernel(xs, columns, &sum, &squares);
            m = (float)(sum / (double)columns);
            double variance = squares / (double)columns;
            r = 1.0f / sqrtf((float)(variance < 0 ? 0 : variance) + epsilon);
        } else {
            pk_v partial = splat(0.0f);
            ptrdiff_t i = 0;
            for (; i + W <= columns; i += W) {
                pk_v v = load(xs + i);
                partial += v * v;
            }
            float squares = laneSum(partial);
            for (; i < columns; i++) squares += xs[i] * xs[i];
            r = 1.0f / sqrtf(squares / (float)columns + epsilon);
        }
        if (statistics) {
            statistics[2 * row] = m;
            statistics[2 * row + 1] = r;
        }
        ptrdiff_t i = 0;
        pk_v mv = splat(m), rv = splat(r);
        for (; i + W <= columns; i += W) {
            pk_v y = (load(xs + i) - mv) * rv;
            if (weight) y = y * load(weight + i);
            if (bias) y = y + load(bias + i);
            store(ys + i, y);
        }
        for (; i < columns; i++) {
            float y = (xs[i] - m) * r;
            if (weight) y *= weight[i];
            if (bias) y += bias[i];
            ys[i] = y;
        }
    }
}

static inline pk_v applyUnaryBackward(int op, pk_v g, pk_v v) {
    switch (op) {
    case PKUnaryGELU: {
        pk_v cdf = 0.5f * (1.0f + verf(v * 0.70710678118654752f));
        pk_v pdf = vexp(-0.5f * v * v) * 0.3989422804014327f;
        return g * (cdf + v * pdf);
    }
    case PKUnaryGELUTanh: {
        pk_v t = vtanh(0.7978845608028654f * (v + 0.044715f * v * v * v));
        pk_v inner = 0.7978845608028654f * (1.0f + 3.0f * 0.044715f * v * v);
        return g * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * inner);
    }
    case PKUnarySiLU: {
        pk_v s = vsigmoid(v);
        return g * s * (1.0f + v * (1.0f - s));
    }
    case PKUnarySigmoid: return g * v * (1.0f - v);
    case PKUnaryTanh: return g * (1.0f - v * v);
    default: return g;
    }
}

#define PK_UNARY_BACKWARD_LOOP(OP)                                                              \
    {                                                                                           \
        ptrdiff_t i = 0;                                                                        \
        for (; i + W <= count; i += W) store(out + i, applyUnaryBackward(OP, load(g + i), load(v + i))); \
        if (i < count)                                                                          \
            storePartial(out + i, applyUnaryBackward(OP, loadPartial(g + i, count - i), loadPartial(v + i, count - i)), count - i); \
        return;                                                                                 \
    }

static void unaryBackwardKernel(int op, const float *g, const float *v, float *out, ptrdiff_t count) {
    switch (op) {
    case PKUnaryGELU: PK_UNARY_BACKWARD_LOOP(PKUnaryGELU)
    case PKUnaryGELUTanh: PK_UNARY_BACKWARD_LOOP(PKUnaryGELUTanh)
    case PKUnarySiLU: PK_UNARY_BACKWARD_LOOP(PKUnarySiLU)
    case PKUnarySigmoid: PK_UNARY_BACKWARD_LOOP(PKUnarySigmoid)
    case PKUnaryTanh: PK_UNARY_BACKWARD_LOOP(PKUnaryTanh)
    default: return;
    }
}

static void normalizeRowsBackwardKernel(const float *x, const float *g, const float *statistics,
                                        const float *weight, float *dx, float *dweight, float *dbias,
                                        ptrdiff_t rows, ptrdiff_t columns, int centering) {
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *xs = x + row * columns;
        const float *gs = g + row * columns;
        float mean = statistics[2 * row], rstd = statistics[2 * row + 1];
        pk_v mv = splat(mean), rv = splat(rstd);
        if (dx) {
            pk_v sd = splat(0.0f), sdx = splat(0.0f);
            ptrdiff_t i = 0;
            for (; i + W <= columns; i += W) {
                pk_v d = load(gs + i);
                if (weight) d = d * load(weight + i);
                sd += d;
                sdx += d * ((load(xs + i) - mv) * rv);
            }
            float sumD = laneSum(sd), sumDX = laneSum(sdx);
            for (; i < columns; i++) {
                float d = gs[i] * (weight ? weight[i] : 1.0f);
                sumD += d;
                sumDX += d * ((xs[i] - mean) * rstd);
            }
            float meanD = centering ? sumD / (float)columns : 0.0f;
            float meanDX = sumDX / (float)columns;
            float *os = dx + row * columns;
            i = 0;
            for (; i + W <= columns; i += W) {
                pk_v d = load(gs + i);
                if (weight) d = d * load(weight + i);
                pk_v xhat = (load(xs + i) - mv) * rv;
                store(os + i, rv * (d - meanD - xhat * meanDX));
            }
            for (; i < columns; i++) {
                float d = gs[i] * (weight ? weight[i] : 1.0f);
                float xhat = (xs[i] - mean) * rstd;
                os[i] = rstd * (d - meanD - xhat * meanDX);
            }
        }
        if (dweight || dbias) {
            ptrdiff_t i = 0;
            for (; i + W <= columns; i += W) {
                pk_v gv = load(gs + i);
                if (dweight) store(dweight + i, load(dweight + i) + gv * ((load(xs + i) - mv) * rv));
                if (dbias) store(dbias + i, load(dbias + i) + gv);
            }
            for (; i < columns; i++) {
                if (dweight) dweight[i] += gs[i] * ((xs[i] - mean) * rstd);
                if (dbias) dbias[i] += gs[i];
            }
        }
    }
}

// Runs no shorter than a vector finish with one vector ending at the run's end (overlapping the
// previous one: the same values are written twice), which is cheaper than a partial vector.
static void copyRunsKernel(const float *source, ptrdiff_t sourceStride, float *destination,
                           ptrdiff_t destinationStride, ptrdiff_t runs, ptrdiff_t length) {
    if (length <= 0) return;
    for (ptrdiff_t r = 0; r < runs; r++) {
        const float *s = source + r * sourceStride;
        float *d = destination + r * destinationStride;
        if (length < W) {
            for (ptrdiff_t i = 0; i < length; i++) d[i] = s[i];
            continue;
        }
        if (length >= 256) {
            __builtin_memcpy(d, s, (size_t)length * sizeof(float));
            continue;
        }
        ptrdiff_t i = 0;
        for (; i + W <= length; i += W) store(d + i, load(s + i));
        if (i < length) store(d + length - W, load(s + length - W));
    }
}

static void affineRunsKernel(const float *source, ptrdiff_t sourceStride, float *destination,
                             ptrdiff_t destinationStride, ptrdiff_t runs, ptrdiff_t length, float scale,
                             float shift, int relu) {
    if (length <= 0) return;
    pk_v a = splat(scale), b = splat(shift), zero = splat(0.0f);
    for (ptrdiff_t r = 0; r < runs; r++) {
        const float *s = source + r * sourceStride;
        float *d = destination + r * destinationStride;
        if (length < W) {
            for (ptrdiff_t i = 0; i < length; i++) {
                float y = s[i] * scale + shift;
                d[i] = relu && !(y > 0) ? 0 : y;
            }
            continue;
        }
        ptrdiff_t i = 0;
        if (relu) {
            for (; i + W <= length; i += W) store(d + i, vmax(load(s + i) * a + b, zero));
            if (i < length) store(d + length - W, vmax(load(s + length - W) * a + b, zero));
        } else {
            for (; i + W <= length; i += W) store(d + i, load(s + i) * a + b);
            if (i < length) store(d + length - W, load(s + length - W) * a + b);
        }
    }
}

const PKKernels PK_NAME = {
    .level = PK_LEVEL,
    .binary = binaryKernel,
    .unary = unaryKernel,
    .reluBackward = reluBackwardKernel,
    .accumulate = accumulateKernel,
    .moments = momentsKernel,
    .affine = affineKernel,
    .gradientSums = gradientSumsKernel,
    .combine = combineKernel,
    .softmaxRows = softmaxRowsKernel,
    .softmaxBackwardRows = softmaxBackwardRowsKernel,
    .normalizeRows = normalizeRowsKernel,
    .unaryBackward = unaryBackwardKernel,
    .normalizeRowsBackward = normalizeRowsBackwardKernel,
    .copyRuns = copyRunsKernel,
    .affineRuns = affineRunsKernel,
};

#undef W

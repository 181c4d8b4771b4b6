/* What the native kernels share: the BLAS GEMM they are handed, row-major GEMMs through it,
 * tanh, clip, and the vectorization hint. Static inline: each .c file gets its own copy. */
#ifndef TFJS_NATIVE_H
#define TFJS_NATIVE_H

#include <math.h>

/* Inner loops marked IVDEP touch disjoint slices of their buffers: the compiler may vectorize
 * them without run-time alias checks. */
#if defined(__GNUC__) && !defined(__clang__)
#define IVDEP _Pragma("GCC ivdep")
#elif defined(__clang__)
#define IVDEP _Pragma("clang loop vectorize(assume_safety)")
#else
#define IVDEP
#endif

typedef void (*sgemm_fn)(const char *transa, const char *transb, const int *m, const int *n,
                         const int *k, const float *alpha, const float *a, const int *lda,
                         const float *b, const int *ldb, const float *beta, float *c,
                         const int *ldc);

/* Row-major C[m, n] = A[m, k] @ op(B) + beta * C through column-major BLAS:
 * C^T = op(B)^T A^T. B is [k, n] (trans_b = 0) or [n, k] (trans_b = 1), rows of length ldb. */
static inline void gemm_rows(sgemm_fn sgemm, int m, int n, int k, const float *a, int lda,
                      const float *b, int ldb, int trans_b, float beta, float *c, int ldc) {
    const float one = 1.0f;
    sgemm(trans_b ? "T" : "N", "N", &n, &m, &k, &one, b, &ldb, a, &lda, &beta, c, &ldc);
}

/* tanh as a rational function of x (odd degree-13 over even degree-6 polynomials, the
 * minimax fit that Eigen, and so TensorFlow's CPU kernels, use): within 7 ulp of the exact
 * value near +-1 (|x| around 6), 0.12 ulp on average; exact for |x| < 4e-4 and saturating to
 * +-1 from |x| = 7.9. */
static inline float tanh_rational(float x) {
    const float lim = 7.90531110763549805f;
    float xc = x > lim ? lim : (x < -lim ? -lim : x);
    float x2 = xc * xc;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    p = p * xc;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    float r = p / q;
    /* NaN stays NaN: the clamp above maps it to lim, so take x itself */
    return (fabsf(x) < 4e-4f || x != x) ? x : r;
}

static inline float clip01(float v) {
    /* NaN propagates, as torch.clamp */
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}

#endif

/* Optimizer updates in one pass over each variable, in exactly TF.js's order of float32
 * operations.
 *
 * Every product, sum, quotient and square root below rounds once, as the separate TF.js ops
 * do (the library is built with -ffp-contract=off and without -ffast-math: no fused
 * multiply-adds, no reassociation, no flush-to-zero; sqrtf is the correctly rounded IEEE
 * instruction), so the results are bit for bit those of the PyTorch-op path in
 * tfjs/train/adam.py, which follows TF.js op by op. One pass instead of ~14 is the gain.
 */
#include <math.h>

/* Adam (tfjs/train/adam.py):
 *   m <- m * beta1 + g * (1 - beta1)
 *   v <- v * beta2 + (g * g) * (1 - beta2)
 *   w <- ((m / (1 - accBeta1)) / (sqrt(v / (1 - accBeta2)) + eps)) * (-lr) + w */
void tfjs_adam_step(float *restrict w, const float *restrict g, float *restrict m,
                    float *restrict v, long n, float beta1,
                    float one_minus_beta1, float beta2, float one_minus_beta2,
                    float one_minus_acc1, float one_minus_acc2, float eps, float neg_lr) {
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] * beta1 + gi * one_minus_beta1;
        float vi = v[i] * beta2 + (gi * gi) * one_minus_beta2;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi / one_minus_acc2) + eps;
        w[i] = ((mi / one_minus_acc1) / denom) * neg_lr + w[i];
    }
}

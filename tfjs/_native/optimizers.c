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
#include <stddef.h>

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

/* SGD (tfjs/train/sgd.py): w <- g * c + w, c = -lr */
void tfjs_sgd_step(float *restrict w, const float *restrict g, long n, float c) {
    for (long i = 0; i < n; i++) w[i] = g[i] * c + w[i];
}

/* Momentum (tfjs/train/momentum.py, TF.js's form): acc <- acc * m + g; then
 * w <- (acc * m + g) * c + w with Nesterov, else w <- acc * c + w; c = -lr */
void tfjs_momentum_step(float *restrict w, const float *restrict g, float *restrict acc,
                        long n, float m, float c, float nesterov) {
    if (nesterov != 0.0f) {
        for (long i = 0; i < n; i++) {
            float a = acc[i] * m + g[i];
            acc[i] = a;
            w[i] = (a * m + g[i]) * c + w[i];
        }
    } else {
        for (long i = 0; i < n; i++) {
            float a = acc[i] * m + g[i];
            acc[i] = a;
            w[i] = a * c + w[i];
        }
    }
}

/* RMSprop (tfjs/train/rmsprop.py): ms <- ms * d + (g * g) * (1 - d);
 * centered: mg <- mg * d + g * (1 - d), denom = sqrt((ms - mg * mg) + eps), else
 * denom = sqrt(ms + eps); mom <- mom * momentum + (g * lr) / denom; w <- w - mom.
 * `mg` is NULL when not centered. */
void tfjs_rmsprop_step(float *restrict w, const float *restrict g, float *restrict ms,
                       float *restrict mom, float *restrict mg, long n, float d,
                       float one_minus_d, float lr, float momentum, float eps) {
    if (mg != NULL) {
        for (long i = 0; i < n; i++) {
            float gi = g[i];
            float msi = ms[i] * d + (gi * gi) * one_minus_d;
            float mgi = mg[i] * d + gi * one_minus_d;
            ms[i] = msi;
            mg[i] = mgi;
            float mo = mom[i] * momentum + (gi * lr) / sqrtf((msi - mgi * mgi) + eps);
            mom[i] = mo;
            w[i] = w[i] - mo;
        }
    } else {
        for (long i = 0; i < n; i++) {
            float gi = g[i];
            float msi = ms[i] * d + (gi * gi) * one_minus_d;
            ms[i] = msi;
            float mo = mom[i] * momentum + (gi * lr) / sqrtf(msi + eps);
            mom[i] = mo;
            w[i] = w[i] - mo;
        }
    }
}

/* Adagrad (tfjs/train/adagrad.py): acc <- acc + g * g; w <- (g / sqrt(acc + eps)) * c + w */
void tfjs_adagrad_step(float *restrict w, const float *restrict g, float *restrict acc,
                       long n, float eps, float c) {
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float a = acc[i] + gi * gi;
        acc[i] = a;
        w[i] = (gi / sqrtf(a + eps)) * c + w[i];
    }
}

/* NaN-propagating maximum, as torch.maximum / TF.js's maximum */
static inline float max_nan(float a, float b) {
    return (a != a || b != b) ? a + b : (a > b ? a : b);
}

/* Adamax (tfjs/train/adamax.py): m <- m * b1 + g * (1 - b1); v <- max(v * b2, |g|);
 * w <- (m / (v + eps)) * step + w, step = (-lr / (iteration * decay + 1)) / (1 - accBeta1) */
void tfjs_adamax_step(float *restrict w, const float *restrict g, float *restrict m,
                      float *restrict v, long n, float beta1, float one_minus_beta1,
                      float beta2, float eps, float step) {
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] * beta1 + gi * one_minus_beta1;
        float vi = max_nan(v[i] * beta2, fabsf(gi));
        m[i] = mi;
        v[i] = vi;
        w[i] = (mi / (vi + eps)) * step + w[i];
    }
}

/* Adadelta (tfjs/train/adadelta.py, TF.js's order: the update uses accG from before this
 * step): upd = (sqrt(accU + eps) / sqrt(accG + eps)) * g; accG <- accG * rho + (g * g) *
 * (1 - rho); accU <- accU * rho + (upd * upd) * (1 - rho); w <- upd * c + w, c = -lr */
void tfjs_adadelta_step(float *restrict w, const float *restrict g, float *restrict acc_g,
                        float *restrict acc_u, long n, float rho, float one_minus_rho,
                        float eps, float c) {
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float upd = (sqrtf(acc_u[i] + eps) / sqrtf(acc_g[i] + eps)) * gi;
        acc_g[i] = acc_g[i] * rho + (gi * gi) * one_minus_rho;
        acc_u[i] = acc_u[i] * rho + (upd * upd) * one_minus_rho;
        w[i] = upd * c + w[i];
    }
}

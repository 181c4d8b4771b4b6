/* The time-step loops of a GRU with TF.js's default cell (tanh, hardSigmoid gates, the reset
 * gate applied before the recurrent matmul: `resetAfter: false`), in C.
 *
 * Built and called as lstm.c (see tfjs/_native/__init__.py): the Python side keeps the
 * whole-sequence GEMMs (input projection, weight and input gradients); each step here is two
 * small GEMMs through PyTorch's BLAS `sgemm_` and two fused elementwise passes. The gates'
 * hardSigmoid is TF.js's `clip(0.2 * x + 0.5, 0, 1)` with both roundings, its gradient 0.2
 * where `0 <= 0.2 * x + 0.5 <= 1` (bounds included, TF.js's clipByValue).
 *
 * Layout (row-major, float32, contiguous), T steps, B batch, U units, G = 3U gate columns in
 * Keras's order z (update), r (reset), h (candidate):
 *   x   [T, B, G]   on entry the input projection (x W + b); on return z and r hold their
 *                   pre-activations plus h_{t-1} R (backward recomputes the clip), the h slot
 *                   holds the candidate tanh(x_h + (r h_{t-1}) R_h).
 *   h   [T+1, B, U] outputs, h[0] = initial state on entry.
 *   rh  [T, B, U]   r * h_{t-1}, the recurrent matmul's input for the candidate.
 *   r   [U, G]      recurrent kernel.
 */
#include <stddef.h>
#include <string.h>

#include "native.h"

static inline float hard_sigmoid(float x) {
    return clip01(0.2f * x + 0.5f);
}

/* d hardSigmoid / dx: 0.2 inside [0, 1] (bounds included), else 0 */
static inline float hard_sigmoid_grad(float x) {
    float p = 0.2f * x + 0.5f;
    return (p >= 0.0f && p <= 1.0f) ? 0.2f : 0.0f;
}

void tfjs_gru_forward(sgemm_fn sgemm, int steps, int batch, int units, float *x, float *h,
                      float *rh, const float *r) {
    const int g = 3 * units;
    const size_t xstep = (size_t)batch * g, ustep = (size_t)batch * units;
    for (int t = 0; t < steps; t++) {
        float *xt = x + t * xstep;
        const float *hp = h + t * ustep;
        float *hn = h + (t + 1) * ustep, *rht = rh + t * ustep;
        gemm_rows(sgemm, batch, 2 * units, units, hp, units, r, g, 0, 1.0f, xt, g);
        for (int b = 0; b < batch; b++) {
            const float *zr = xt + (size_t)b * g + units, *hpr = hp + (size_t)b * units;
            float *rhr = rht + (size_t)b * units;
            IVDEP
            for (int j = 0; j < units; j++) rhr[j] = hard_sigmoid(zr[j]) * hpr[j];
        }
        gemm_rows(sgemm, batch, units, units, rht, units, r + 2 * units, g, 0, 1.0f,
                  xt + 2 * units, g);
        for (int b = 0; b < batch; b++) {
            const float *zz = xt + (size_t)b * g, *hpr = hp + (size_t)b * units;
            float *zh = xt + (size_t)b * g + 2 * units, *hnr = hn + (size_t)b * units;
            IVDEP
            for (int j = 0; j < units; j++) {
                float zv = hard_sigmoid(zz[j]);
                float hh = tanh_rational(zh[j]);
                zh[j] = hh;
                hnr[j] = zv * hpr[j] + (1.0f - zv) * hh;
            }
        }
    }
}

/* Backward through the steps, from `x` and `rh` as the forward left them. dseq [T, B, U] (may
 * be NULL): gradient of every output; dh [B, U]: on entry the gradient reaching the last output
 * from outside the sequence output (zeros when none), on return the gradient of h0. drh
 * [B, U] is scratch. Writes dx [T, B, G], the gradient of the input projection. */
void tfjs_gru_backward(sgemm_fn sgemm, int steps, int batch, int units, const float *x,
                       const float *h, const float *r, const float *dseq, float *dh, float *drh,
                       float *dx) {
    const int g = 3 * units;
    const size_t xstep = (size_t)batch * g, ustep = (size_t)batch * units;
    if (dseq != NULL) {
        const float *last = dseq + (size_t)(steps - 1) * ustep;
        for (size_t i = 0; i < ustep; i++) dh[i] += last[i];
    }
    for (int t = steps - 1; t >= 0; t--) {
        const float *xt = x + t * xstep, *hp = h + t * ustep;
        float *dxt = dx + t * xstep;
        for (int b = 0; b < batch; b++) {
            const float *zz = xt + (size_t)b * g, *hh = zz + 2 * units;
            const float *hpr = hp + (size_t)b * units, *dhr = dh + (size_t)b * units;
            float *dz = dxt + (size_t)b * g, *dcand = dz + 2 * units;
            IVDEP
            for (int j = 0; j < units; j++) {
                float zv = hard_sigmoid(zz[j]), hv = hh[j];
                dz[j] = dhr[j] * (hard_sigmoid_grad(zz[j]) * (hpr[j] - hv));
                dcand[j] = dhr[j] * ((1.0f - zv) * (1.0f - hv * hv));
            }
        }
        /* d(r h_{t-1}) = d candidate-pre-activation R_h^T */
        gemm_rows(sgemm, batch, units, units, dxt + 2 * units, g, r + 2 * units, g, 1, 0.0f,
                  drh, units);
        for (int b = 0; b < batch; b++) {
            const float *zz = xt + (size_t)b * g, *zr = zz + units;
            const float *hpr = hp + (size_t)b * units, *drhr = drh + (size_t)b * units;
            const float *dsr = (dseq != NULL && t > 0) ?
                dseq + (size_t)(t - 1) * ustep + (size_t)b * units : NULL;
            float *dhr = dh + (size_t)b * units, *dr = dxt + (size_t)b * g + units;
            IVDEP
            for (int j = 0; j < units; j++) {
                float zv = hard_sigmoid(zz[j]), rv = hard_sigmoid(zr[j]);
                dr[j] = drhr[j] * (hard_sigmoid_grad(zr[j]) * hpr[j]);
                /* the gradient reaching h_{t-1}: (dseq +) dh z + d(r h) r (+ dz,r R_zr^T) */
                float direct = dhr[j] * zv;
                if (dsr != NULL) direct = dsr[j] + direct;
                dhr[j] = direct + drhr[j] * rv;
            }
        }
        gemm_rows(sgemm, batch, units, 2 * units, dxt, g, r, g, 1, 1.0f, dh, units);
    }
}

/* The time-step loops of an LSTM with hardSigmoid gates (TF.js's default cell), in C.
 *
 * Built at first use by tfjs/_native/__init__.py with the system C compiler and called
 * through ctypes; the Python side keeps every whole-sequence GEMM (input projection, weight
 * and input gradients) and calls these loops for the part that is sequential in time. Each
 * step is one small GEMM through the BLAS `sgemm_` that PyTorch itself links (its address is
 * passed in) plus one fused pass over the gates, instead of a dozen framework ops.
 *
 * Layout (row-major, float32, contiguous), D directions stepped together, T steps, B batch,
 * U units, G = 4U gate columns in the internal order o, i, f, g:
 *   z   [D, T, B, G]  pre-activations; on entry the input projection (x W + b), on return
 *                     plus h_{t-1} R for o, i, f, and tanh of that for g. The sigmoid gates'
 *                     affine part (0.2 z + 0.5 of hardSigmoid) is folded into W, R and b by
 *                     the caller: here the three sigmoid gates are only clipped to [0, 1]
 *                     (backward recomputes the clip from z: cheaper than storing it).
 *   h   [D, T+1, B, U] outputs, h[:, 0] = initial state on entry.
 *   c   [D, T+1, B, U] cell states, c[:, 0] = initial state on entry.
 *   tc  [D, T, B, U]  tanh(c_t).
 *   r   [D, U, G]     recurrent kernel.
 */
#include <stddef.h>
#include <string.h>

#include "native.h"

/* The recurrent kernels' tanh over an array (the tests measure its accuracy through it). */
void tfjs_tanh(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = tanh_rational(x[i]);
}

void tfjs_lstm_clip_forward(sgemm_fn sgemm, int dirs, int steps, int batch, int units,
                            float *z, float *h, float *c, float *tc, const float *r) {
    const int g = 4 * units;
    const size_t zstep = (size_t)batch * g, ustep = (size_t)batch * units;
    for (int t = 0; t < steps; t++) {
        for (int d = 0; d < dirs; d++) {
            float *zt = z + ((size_t)d * steps + t) * zstep;
            const float *hp = h + ((size_t)d * (steps + 1) + t) * ustep;
            float *hn = h + ((size_t)d * (steps + 1) + t + 1) * ustep;
            const float *cp = c + ((size_t)d * (steps + 1) + t) * ustep;
            float *cn = c + ((size_t)d * (steps + 1) + t + 1) * ustep;
            float *tct = tc + ((size_t)d * steps + t) * ustep;
            gemm_rows(sgemm, batch, g, units, hp, units, r + (size_t)d * units * g, g, 0,
                      1.0f, zt, g);
            for (int b = 0; b < batch; b++) {
                float *zr = zt + (size_t)b * g;
                const float *zo = zr, *zi = zr + units, *zf = zr + 2 * units;
                float *zg = zr + 3 * units;
                const float *cpr = cp + (size_t)b * units;
                float *cnr = cn + (size_t)b * units, *hnr = hn + (size_t)b * units;
                float *tcr = tct + (size_t)b * units;
                IVDEP
                for (int j = 0; j < units; j++) {
                    float gv = tanh_rational(zg[j]);
                    zg[j] = gv;            /* the g gate's slot keeps tanh(z): all backward needs */
                    float cv = clip01(zf[j]) * cpr[j] + clip01(zi[j]) * gv;
                    cnr[j] = cv;
                    float tv = tanh_rational(cv);
                    tcr[j] = tv;
                    hnr[j] = clip01(zo[j]) * tv;
                }
            }
        }
    }
}

/* Backward through the steps, from `z` as the forward left it (o, i, f pre-activations, g
 * activations). dseq [D, T, B, U] (may be NULL): gradient of every output; dh [D, B, U]: on
 * entry the gradient reaching the last output from outside the sequence output (final-state
 * gradient; zeros when none), used as scratch; dc [D, B, U]: on entry the final cell-state
 * gradient, on return the initial one. Writes dz [D, T, B, G] (gradient of the folded
 * pre-activations) and, when dh0 is not NULL, dh0 [D, B, U]. */
void tfjs_lstm_clip_backward(sgemm_fn sgemm, int dirs, int steps, int batch, int units,
                             const float *z, const float *c, const float *tc, const float *r,
                             const float *dseq, float *dh, float *dc, float *dz, float *dh0) {
    const int g = 4 * units;
    const size_t zstep = (size_t)batch * g, ustep = (size_t)batch * units;
    for (int d = 0; d < dirs; d++) {
        float *dhd = dh + (size_t)d * ustep;
        if (dseq != NULL) {
            const float *last = dseq + ((size_t)d * steps + steps - 1) * ustep;
            for (size_t i = 0; i < ustep; i++) dhd[i] += last[i];
        }
    }
    for (int t = steps - 1; t >= 0; t--) {
        for (int d = 0; d < dirs; d++) {
            const float *zt = z + ((size_t)d * steps + t) * zstep;
            const float *cp = c + ((size_t)d * (steps + 1) + t) * ustep;
            const float *tct = tc + ((size_t)d * steps + t) * ustep;
            float *dzt = dz + ((size_t)d * steps + t) * zstep;
            float *dhd = dh + (size_t)d * ustep, *dcd = dc + (size_t)d * ustep;
            for (int b = 0; b < batch; b++) {
                const float *zr = zt + (size_t)b * g;
                const float *zo = zr, *zi = zr + units, *zf = zr + 2 * units;
                const float *ag = zr + 3 * units;
                const float *cpr = cp + (size_t)b * units, *tcr = tct + (size_t)b * units;
                float *dzr = dzt + (size_t)b * g;
                float *dzo = dzr, *dzi = dzr + units, *dzf = dzr + 2 * units;
                float *dzg = dzr + 3 * units;
                const float *dhr = dhd + (size_t)b * units;
                float *dcr = dcd + (size_t)b * units;
                IVDEP
                for (int j = 0; j < units; j++) {
                    float o = clip01(zo[j]), i = clip01(zi[j]), f = clip01(zf[j]);
                    float gv = ag[j], tv = tcr[j], dhv = dhr[j];
                    float dct = dcr[j] + dhv * (o * (1.0f - tv * tv));
                    /* clip's gradient passes on [0, 1], bounds included (TF.js clipByValue) */
                    dzo[j] = (zo[j] >= 0.0f && zo[j] <= 1.0f) ? dhv * tv : 0.0f;
                    dzi[j] = (zi[j] >= 0.0f && zi[j] <= 1.0f) ? dct * gv : 0.0f;
                    dzf[j] = (zf[j] >= 0.0f && zf[j] <= 1.0f) ? dct * cpr[j] : 0.0f;
                    dzg[j] = dct * (i * (1.0f - gv * gv));
                    dcr[j] = dct * f;
                }
            }
            const float *rd = r + (size_t)d * units * g;
            if (t > 0) {
                /* dh_{t-1} = dz_t R^T (+ the sequence gradient of output t-1) */
                float beta = 0.0f;
                if (dseq != NULL) {
                    memcpy(dhd, dseq + ((size_t)d * steps + t - 1) * ustep,
                           ustep * sizeof(float));
                    beta = 1.0f;
                }
                gemm_rows(sgemm, batch, units, g, dzt, g, rd, g, 1, beta, dhd, units);
            } else if (dh0 != NULL) {
                gemm_rows(sgemm, batch, units, g, dzt, g, rd, g, 1, 0.0f,
                          dh0 + (size_t)d * ustep, units);
            }
        }
    }
}

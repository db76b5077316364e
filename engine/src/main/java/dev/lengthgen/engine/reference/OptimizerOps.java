package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/** AdamW with decoupled weight decay (llm.c's gpt2_update), after global-norm gradient clipping. */
final class OptimizerOps {
    private OptimizerOps() {
    }

    /**
     * params, m, v (N) updated in place from grads (N); normSquared (1) is the global gradient norm squared, from
     * which the clip factor min(1, maxNorm / (norm + 1e-6)) is computed here (maxNorm <= 0: no clipping), so the
     * norm never has to come back to the host.
     */
    static void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr, float beta1,
                      float beta2, float eps, float weightDecay, int t, long N) {
        double[] p = ReferenceBackend.f(params), g = ReferenceBackend.f(grads);
        double[] mm = ReferenceBackend.f(m), vv = ReferenceBackend.f(v);
        int po = (int) params.offset(), go = (int) grads.offset(), mo = (int) m.offset(), vo = (int) v.offset();
        double clip = 1;
        if (maxNorm > 0) {
            double norm = Math.sqrt(ReferenceBackend.f(normSquared)[(int) normSquared.offset()]);
            clip = Math.min(1.0, maxNorm / (norm + 1e-6));
        }
        double b1 = beta1, b2 = beta2;
        double correction1 = 1 - Math.pow(b1, t), correction2 = 1 - Math.pow(b2, t);
        for (int n = 0; n < N; n++) {
            double grad = g[go + n] * clip;
            double mNew = b1 * mm[mo + n] + (1 - b1) * grad;
            double vNew = b2 * vv[vo + n] + (1 - b2) * grad * grad;
            mm[mo + n] = mNew;
            vv[vo + n] = vNew;
            double mHat = mNew / correction1, vHat = vNew / correction2;
            p[po + n] -= lr * (mHat / (Math.sqrt(vHat) + eps) + weightDecay * p[po + n]);
        }
    }
}

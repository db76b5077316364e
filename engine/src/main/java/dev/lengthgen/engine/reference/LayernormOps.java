package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/** Layernorm over the last dimension (llm.c's layernorm_forward/backward), eps = 1e-5, biased variance. */
final class LayernormOps {
    static final double EPS = 1e-5;

    private LayernormOps() {
    }

    /** out (N,C), mean (N), rstd (N) written; inp (N,C), weight (C), bias (C) or null. */
    static void forward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) {
        double[] o = ReferenceBackend.f(out), m = ReferenceBackend.f(mean), r = ReferenceBackend.f(rstd);
        double[] x = ReferenceBackend.f(inp), w = ReferenceBackend.f(weight);
        double[] b = bias == null ? null : ReferenceBackend.f(bias);
        int oo = (int) out.offset(), mo = (int) mean.offset(), ro = (int) rstd.offset();
        int xo = (int) inp.offset(), wo = (int) weight.offset(), bo = bias == null ? 0 : (int) bias.offset();
        for (int n = 0; n < N; n++) {
            int row = xo + n * C;
            double mu = 0;
            for (int c = 0; c < C; c++) {
                mu += x[row + c];
            }
            mu /= C;
            double var = 0;
            for (int c = 0; c < C; c++) {
                double xm = x[row + c] - mu;
                var += xm * xm;
            }
            var /= C;
            double s = 1.0 / Math.sqrt(var + EPS);
            for (int c = 0; c < C; c++) {
                double norm = (x[row + c] - mu) * s;
                o[oo + n * C + c] = norm * w[wo + c] + (b == null ? 0 : b[bo + c]);
            }
            m[mo + n] = mu;
            r[ro + n] = s;
        }
    }

    /**
     * dinp (N,C) +=, dweight (C) +=, dbias (C) += or null; from dout (N,C), inp (N,C), weight (C), mean, rstd (N).
     * With norm = (x - mean) rstd and dnorm = dout * weight:
     * dinp = rstd (dnorm - mean(dnorm) - norm mean(dnorm norm)).
     */
    static void backward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean, View rstd,
                         int N, int C) {
        double[] dx = ReferenceBackend.f(dinp), dw = ReferenceBackend.f(dweight), dy = ReferenceBackend.f(dout);
        double[] x = ReferenceBackend.f(inp), w = ReferenceBackend.f(weight);
        double[] m = ReferenceBackend.f(mean), r = ReferenceBackend.f(rstd);
        double[] db = dbias == null ? null : ReferenceBackend.f(dbias);
        int dxo = (int) dinp.offset(), dwo = (int) dweight.offset(), dyo = (int) dout.offset();
        int xo = (int) inp.offset(), wo = (int) weight.offset(), mo = (int) mean.offset(), ro = (int) rstd.offset();
        int dbo = dbias == null ? 0 : (int) dbias.offset();
        for (int n = 0; n < N; n++) {
            double mu = m[mo + n], s = r[ro + n];
            double dnormMean = 0, dnormNormMean = 0;
            for (int c = 0; c < C; c++) {
                double norm = (x[xo + n * C + c] - mu) * s;
                double dnorm = w[wo + c] * dy[dyo + n * C + c];
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean /= C;
            dnormNormMean /= C;
            for (int c = 0; c < C; c++) {
                double norm = (x[xo + n * C + c] - mu) * s;
                double g = dy[dyo + n * C + c];
                double dnorm = w[wo + c] * g;
                if (db != null) {
                    db[dbo + c] += g;
                }
                dw[dwo + c] += norm * g;
                dx[dxo + n * C + c] += (dnorm - dnormMean - norm * dnormNormMean) * s;
            }
        }
    }
}

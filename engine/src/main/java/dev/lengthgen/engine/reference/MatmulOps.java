package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/** The linear layer out = inp . weight^T + bias, weight stored (OC, C) as in llm.c and PyTorch. */
final class MatmulOps {
    private MatmulOps() {
    }

    /** out (N,OC) written = inp (N,C) . weight (OC,C)^T + bias (OC) or null. */
    static void forward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        double[] o = ReferenceBackend.f(out), x = ReferenceBackend.f(inp), w = ReferenceBackend.f(weight);
        double[] b = bias == null ? null : ReferenceBackend.f(bias);
        int oo = (int) out.offset(), xo = (int) inp.offset(), wo = (int) weight.offset();
        int bo = bias == null ? 0 : (int) bias.offset();
        for (int n = 0; n < N; n++) {
            for (int j = 0; j < OC; j++) {
                double acc = b == null ? 0 : b[bo + j];
                for (int c = 0; c < C; c++) {
                    acc += x[xo + n * C + c] * w[wo + j * C + c];
                }
                o[oo + n * OC + j] = acc;
            }
        }
    }

    /** dinp (N,C) += dout . weight; dweight (OC,C) += dout^T . inp; dbias (OC) += column sums of dout, or null. */
    static void backward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C, int OC) {
        double[] dx = ReferenceBackend.f(dinp), dw = ReferenceBackend.f(dweight), dy = ReferenceBackend.f(dout);
        double[] x = ReferenceBackend.f(inp), w = ReferenceBackend.f(weight);
        double[] db = dbias == null ? null : ReferenceBackend.f(dbias);
        int dxo = (int) dinp.offset(), dwo = (int) dweight.offset(), dyo = (int) dout.offset();
        int xo = (int) inp.offset(), wo = (int) weight.offset(), dbo = dbias == null ? 0 : (int) dbias.offset();
        // llm.c's order: one pass over the rows, every access contiguous in the channel index
        for (int n = 0; n < N; n++) {
            int xRow = xo + n * C, dxRow = dxo + n * C;
            for (int j = 0; j < OC; j++) {
                double g = dy[dyo + n * OC + j];
                int wRow = wo + j * C, dwRow = dwo + j * C;
                for (int c = 0; c < C; c++) {
                    dx[dxRow + c] += w[wRow + c] * g;
                    dw[dwRow + c] += x[xRow + c] * g;
                }
                if (db != null) {
                    db[dbo + j] += g;
                }
            }
        }
    }
}

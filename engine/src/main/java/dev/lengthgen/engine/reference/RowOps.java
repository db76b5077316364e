package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.OpArguments;
import dev.lengthgen.engine.View;

/**
 * Row selection: the rows of a batch that carry loss, gathered into a dense block and scattered back. The gradient
 * of a gather is the scatter-add of the gathered rows' gradient to the rows they came from (other rows get none).
 */
final class RowOps {
    private RowOps() {
    }

    /** out (M,C) = inp rows rows[m]. */
    static void forward(View out, View inp, View rows, int N, int M, int C) {
        OpArguments.gatherRowsForward(out, inp, rows, N, M, C);
        int[] r = ReferenceBackend.i(rows);
        int ro = (int) rows.offset();
        OpArguments.gatherRowIds("gatherRowsForward", r, ro, M, N);
        double[] o = ReferenceBackend.f(out), x = ReferenceBackend.f(inp);
        int oo = (int) out.offset(), xo = (int) inp.offset();
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < C; c++) {
                o[oo + m * C + c] = x[xo + r[ro + m] * C + c];
            }
        }
    }

    /** dinp rows rows[m] += dout (M,C) row m. */
    static void backward(View dinp, View dout, View rows, int N, int M, int C) {
        OpArguments.gatherRowsBackward(dinp, dout, rows, N, M, C);
        int[] r = ReferenceBackend.i(rows);
        int ro = (int) rows.offset();
        OpArguments.gatherRowIds("gatherRowsBackward", r, ro, M, N);
        double[] d = ReferenceBackend.f(dinp), g = ReferenceBackend.f(dout);
        int dOff = (int) dinp.offset(), go = (int) dout.offset();
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < C; c++) {
                d[dOff + r[ro + m] * C + c] += g[go + m * C + c];
            }
        }
    }
}

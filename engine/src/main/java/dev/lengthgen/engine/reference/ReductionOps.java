package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/** Whole-tensor sums (the loss total, the global gradient norm), accumulated in index order. */
final class ReductionOps {
    private ReductionOps() {
    }

    /** out (1) written = sum of inp (N). */
    static void sum(View out, View inp, long N) {
        double[] x = ReferenceBackend.f(inp);
        int xo = (int) inp.offset();
        double acc = 0;
        for (int n = 0; n < N; n++) {
            acc += x[xo + n];
        }
        ReferenceBackend.f(out)[(int) out.offset()] = acc;
    }

    /** out (1) written = sum of inp (N) squared. */
    static void sumOfSquares(View out, View inp, long N) {
        double[] x = ReferenceBackend.f(inp);
        int xo = (int) inp.offset();
        double acc = 0;
        for (int n = 0; n < N; n++) {
            acc += x[xo + n] * x[xo + n];
        }
        ReferenceBackend.f(out)[(int) out.offset()] = acc;
    }
}

package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.random.DropoutMask;

/** GELU, residual add and dropout: one element at a time. */
final class ElementwiseOps {
    private static final double GELU_SCALE = Math.sqrt(2.0 / Math.PI);

    private ElementwiseOps() {
    }

    /** out (N) written = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x = inp (N). */
    static void geluForward(View out, View inp, int N) {
        double[] o = ReferenceBackend.f(out), x = ReferenceBackend.f(inp);
        int oo = (int) out.offset(), xo = (int) inp.offset();
        for (int n = 0; n < N; n++) {
            double v = x[xo + n];
            o[oo + n] = 0.5 * v * (1 + Math.tanh(GELU_SCALE * (v + 0.044715 * v * v * v)));
        }
    }

    /** dinp (N) += GELU'(inp) * dout, the derivative of the tanh form (llm.c's gelu_backward). */
    static void geluBackward(View dinp, View inp, View dout, int N) {
        double[] dx = ReferenceBackend.f(dinp), x = ReferenceBackend.f(inp), dy = ReferenceBackend.f(dout);
        int dxo = (int) dinp.offset(), xo = (int) inp.offset(), dyo = (int) dout.offset();
        for (int n = 0; n < N; n++) {
            double v = x[xo + n];
            double u = GELU_SCALE * (v + 0.044715 * v * v * v);
            double th = Math.tanh(u);
            double sech2 = 1 - th * th;
            double local = 0.5 * (1 + th) + 0.5 * v * sech2 * GELU_SCALE * (1 + 3 * 0.044715 * v * v);
            dx[dxo + n] += local * dy[dyo + n];
        }
    }

    /** out (N) written = a (N) + b (N). */
    static void residualForward(View out, View a, View b, int N) {
        double[] o = ReferenceBackend.f(out), x = ReferenceBackend.f(a), y = ReferenceBackend.f(b);
        int oo = (int) out.offset(), xo = (int) a.offset(), yo = (int) b.offset();
        for (int n = 0; n < N; n++) {
            o[oo + n] = x[xo + n] + y[yo + n];
        }
    }

    /** da (N) += dout, db (N) += dout. */
    static void residualBackward(View da, View db, View dout, int N) {
        double[] dx = ReferenceBackend.f(da), dy = ReferenceBackend.f(db), g = ReferenceBackend.f(dout);
        int dxo = (int) da.offset(), dyo = (int) db.offset(), go = (int) dout.offset();
        for (int n = 0; n < N; n++) {
            dx[dxo + n] += g[go + n];
            dy[dyo + n] += g[go + n];
        }
    }

    /** out (N) written = inp (N) * keep(key, n, p) / (1 - p); p = 0 copies. */
    static void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        double[] o = ReferenceBackend.f(out), x = ReferenceBackend.f(inp);
        int oo = (int) out.offset(), xo = (int) inp.offset();
        double scale = 1.0 / (1.0 - p);
        for (int n = 0; n < N; n++) {
            o[oo + n] = DropoutMask.keep(key, n, p) ? x[xo + n] * scale : 0;
        }
    }

    /** dinp (N) += dout (N) * keep(key, n, p) / (1 - p), the forward pass's mask. */
    static void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        double[] dx = ReferenceBackend.f(dinp), dy = ReferenceBackend.f(dout);
        int dxo = (int) dinp.offset(), dyo = (int) dout.offset();
        double scale = 1.0 / (1.0 - p);
        for (int n = 0; n < N; n++) {
            if (DropoutMask.keep(key, n, p)) {
                dx[dxo + n] += dy[dyo + n] * scale;
            }
        }
    }
}

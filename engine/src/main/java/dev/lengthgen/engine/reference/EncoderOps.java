package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/** Token embedding plus learned absolute position embedding, looked up by explicit per-token position ids. */
final class EncoderOps {
    private EncoderOps() {
    }

    /** out (N,C) = wte[tokens[n]] (V,C) + wpe[posIds[n]] (P,C), wpe may be null; tokens, posIds I32 (N). */
    static void forward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        double[] o = ReferenceBackend.f(out), e = ReferenceBackend.f(wte);
        int[] tok = ReferenceBackend.i(tokens);
        int oo = (int) out.offset(), eo = (int) wte.offset(), to = (int) tokens.offset();
        int V = (int) (wte.length() / C);
        double[] p = null;
        int[] pos = null;
        int po = 0, pio = 0, P = 0;
        if (wpe != null) {
            p = ReferenceBackend.f(wpe);
            pos = ReferenceBackend.i(posIds);
            po = (int) wpe.offset();
            pio = (int) posIds.offset();
            P = (int) (wpe.length() / C);
        }
        for (int n = 0; n < N; n++) {
            int ix = checkIndex(tok[to + n], V, "token", n);
            int outRow = oo + n * C, wteRow = eo + ix * C;
            if (p == null) {
                for (int c = 0; c < C; c++) {
                    o[outRow + c] = e[wteRow + c];
                }
            } else {
                int wpeRow = po + checkIndex(pos[pio + n], P, "position id", n) * C;
                for (int c = 0; c < C; c++) {
                    o[outRow + c] = e[wteRow + c] + p[wpeRow + c];
                }
            }
        }
    }

    /** dwte (V,C) += and dwpe (P,C) += (null when there is no wpe), scattering dout (N,C) to the rows looked up. */
    static void backward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        double[] d = ReferenceBackend.f(dout), de = ReferenceBackend.f(dwte);
        int[] tok = ReferenceBackend.i(tokens);
        int dOff = (int) dout.offset(), eo = (int) dwte.offset(), to = (int) tokens.offset();
        int V = (int) (dwte.length() / C);
        for (int n = 0; n < N; n++) {
            int row = eo + checkIndex(tok[to + n], V, "token", n) * C;
            for (int c = 0; c < C; c++) {
                de[row + c] += d[dOff + n * C + c];
            }
        }
        if (dwpe != null) {
            double[] dp = ReferenceBackend.f(dwpe);
            int[] pos = ReferenceBackend.i(posIds);
            int po = (int) dwpe.offset(), pio = (int) posIds.offset();
            int P = (int) (dwpe.length() / C);
            for (int n = 0; n < N; n++) {
                int row = po + checkIndex(pos[pio + n], P, "position id", n) * C;
                for (int c = 0; c < C; c++) {
                    dp[row + c] += d[dOff + n * C + c];
                }
            }
        }
    }

    private static int checkIndex(int ix, int rows, String what, int n) {
        if (ix < 0 || ix >= rows) {
            throw new IllegalArgumentException("encoder: " + what + " " + ix + " at row " + n
                    + " is outside [0, " + rows + ")");
        }
        return ix;
    }
}

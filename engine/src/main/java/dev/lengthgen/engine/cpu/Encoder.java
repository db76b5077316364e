package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * Token + position embedding lookup, and its backward scatter-add. The backward pass is split by channel ranges,
 * not by rows: rows that share a token (or a position) add into the same embedding row, and a column split lets
 * every worker add its columns for all rows in row order, so there are no races and the sum order is fixed.
 */
final class Encoder {
    static final int ROWS = 64;
    /** Channels per backward task. */
    static final int COLUMNS = 4 * LANES;

    private final WorkerPool pool;
    private float[] out, wte, wpe;
    private int[] tokens, posIds;
    private int outO, wteO, wpeO, tokensO, posO;
    private int n, c;

    private final WorkerPool.Task forwardTask = this::forwardRows;
    private final WorkerPool.Task backwardTask = this::backwardColumns;

    Encoder(WorkerPool pool) {
        this.pool = pool;
    }

    /** out (N,C) = wte[tokens[n]] + (wpe == null ? 0 : wpe[posIds[n]]). */
    void forward(float[] out, int outO, int[] tokens, int tokensO, int[] posIds, int posO, float[] wte, int wteO,
                 float[] wpe, int wpeO, int N, int C) {
        set(out, outO, tokens, tokensO, posIds, posO, wte, wteO, wpe, wpeO, N, C);
        try {
            pool.forEach((N + ROWS - 1) / ROWS, forwardTask);
        } finally {
            release();
        }
    }

    /** dwte (V,C) += dout rows by token, dwpe (P,C) += dout rows by position (null: none). dout in out's place. */
    void backward(float[] dwte, int dwteO, float[] dwpe, int dwpeO, float[] dout, int doutO, int[] tokens,
                  int tokensO, int[] posIds, int posO, int N, int C) {
        set(dout, doutO, tokens, tokensO, posIds, posO, dwte, dwteO, dwpe, dwpeO, N, C);
        try {
            pool.forEach((C + COLUMNS - 1) / COLUMNS, backwardTask);
        } finally {
            release();
        }
    }

    private void set(float[] out, int outO, int[] tokens, int tokensO, int[] posIds, int posO, float[] wte, int wteO,
                     float[] wpe, int wpeO, int N, int C) {
        this.out = out;
        this.outO = outO;
        this.tokens = tokens;
        this.tokensO = tokensO;
        this.posIds = posIds;
        this.posO = posO;
        this.wte = wte;
        this.wteO = wteO;
        this.wpe = wpe;
        this.wpeO = wpeO;
        this.n = N;
        this.c = C;
    }

    private void release() {
        out = wte = wpe = null;
        tokens = posIds = null;
    }

    private void forwardRows(int task, int worker) {
        int C = c;
        int r1 = Math.min(n, (task + 1) * ROWS);
        for (int r = task * ROWS; r < r1; r++) {
            int o = outO + r * C;
            int te = wteO + tokens[tokensO + r] * C;
            if (wpe == null) {
                System.arraycopy(wte, te, out, o, C);
                continue;
            }
            int pe = wpeO + posIds[posO + r] * C;
            int i = 0;
            for (; i + LANES <= C; i += LANES) {
                FloatVector.fromArray(S, wte, te + i).add(FloatVector.fromArray(S, wpe, pe + i)).intoArray(out, o + i);
            }
            for (; i < C; i++) {
                out[o + i] = wte[te + i] + wpe[pe + i];
            }
        }
    }

    // out = dout, wte = dwte, wpe = dwpe
    private void backwardColumns(int task, int worker) {
        int C = c;
        int c0 = task * COLUMNS;
        int c1 = Math.min(C, c0 + COLUMNS);
        for (int r = 0; r < n; r++) {
            int g = outO + r * C;
            int te = wteO + tokens[tokensO + r] * C;
            int pe = wpe == null ? 0 : wpeO + posIds[posO + r] * C;
            int i = c0;
            for (; i + LANES <= c1; i += LANES) {
                FloatVector d = FloatVector.fromArray(S, out, g + i);
                FloatVector.fromArray(S, wte, te + i).add(d).intoArray(wte, te + i);
                if (wpe != null) {
                    FloatVector.fromArray(S, wpe, pe + i).add(d).intoArray(wpe, pe + i);
                }
            }
            for (; i < c1; i++) {
                wte[te + i] += out[g + i];
                if (wpe != null) {
                    wpe[pe + i] += out[g + i];
                }
            }
        }
    }
}

package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * dst (OC) += column sums of x (N,OC), rows in order: a bias gradient. Split by column ranges so that every column
 * is summed by one worker, rows ascending.
 */
final class ColumnSums implements WorkerPool.Task {
    static final int COLUMNS = 4 * LANES;

    private final WorkerPool pool;
    private float[] dst, x;
    private int dstO, xO, n, oc;

    ColumnSums(WorkerPool pool) {
        this.pool = pool;
    }

    void add(float[] dst, int dstO, float[] x, int xO, int N, int OC) {
        this.dst = dst;
        this.dstO = dstO;
        this.x = x;
        this.xO = xO;
        this.n = N;
        this.oc = OC;
        try {
            pool.forEach((OC + COLUMNS - 1) / COLUMNS, this);
        } finally {
            this.dst = this.x = null;
        }
    }

    @Override
    public void run(int task, int worker) {
        int c0 = task * COLUMNS;
        int c1 = Math.min(oc, c0 + COLUMNS);
        int col = c0;
        for (; col + LANES <= c1; col += LANES) {
            FloatVector acc = FloatVector.fromArray(S, dst, dstO + col);
            for (int r = 0; r < n; r++) {
                acc = acc.add(FloatVector.fromArray(S, x, xO + r * oc + col));
            }
            acc.intoArray(dst, dstO + col);
        }
        for (; col < c1; col++) {
            float acc = dst[dstO + col];
            for (int r = 0; r < n; r++) {
                acc += x[xO + r * oc + col];
            }
            dst[dstO + col] = acc;
        }
    }
}

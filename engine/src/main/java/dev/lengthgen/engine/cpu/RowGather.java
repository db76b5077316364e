package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * Row selection (the rows that carry loss): gather into a dense block, and its backward pass, the scatter-add back.
 * Work is cut into fixed blocks of {@link #ROWS} gathered rows; the row ids are strictly increasing, so every row of
 * the full side is touched by at most one block and the result does not depend on which worker ran which block.
 */
final class RowGather implements WorkerPool.Task {
    static final int ROWS = 64;

    private final WorkerPool pool;
    private float[] full, dense;
    private int[] rows;
    private int fullO, denseO, rowsO, m, c;
    private boolean backward;

    RowGather(WorkerPool pool) {
        this.pool = pool;
    }

    /** dense (M,C) = full rows rows[m] (forward), or full rows rows[m] += dense row m (backward). */
    void run(float[] full, int fullO, float[] dense, int denseO, int[] rows, int rowsO, int M, int C,
             boolean backward) {
        this.full = full;
        this.fullO = fullO;
        this.dense = dense;
        this.denseO = denseO;
        this.rows = rows;
        this.rowsO = rowsO;
        this.m = M;
        this.c = C;
        this.backward = backward;
        try {
            pool.forEach((M + ROWS - 1) / ROWS, this);
        } finally {
            this.full = null;
            this.dense = null;
            this.rows = null;
        }
    }

    @Override
    public void run(int task, int worker) {
        int C = c;
        int to = Math.min(m, (task + 1) * ROWS);
        for (int r = task * ROWS; r < to; r++) {
            int f = fullO + rows[rowsO + r] * C;
            int d = denseO + r * C;
            if (!backward) {
                System.arraycopy(full, f, dense, d, C);
                continue;
            }
            int i = 0;
            for (; i + LANES <= C; i += LANES) {
                FloatVector.fromArray(S, full, f + i).add(FloatVector.fromArray(S, dense, d + i))
                        .intoArray(full, f + i);
            }
            for (; i < C; i++) {
                full[f + i] += dense[d + i];
            }
        }
    }
}

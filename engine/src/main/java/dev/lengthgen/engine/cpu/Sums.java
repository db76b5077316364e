package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * Sum and sum of squares of a long vector (the loss, the global gradient norm) in a fixed order: fixed chunks of
 * {@link #CHUNK} elements, each summed in float with four vector accumulators, then the chunk sums added in chunk
 * order in double. The order depends on neither the thread count nor which worker ran a chunk.
 */
final class Sums implements WorkerPool.Task {
    static final int CHUNK = 1 << 14;

    private final WorkerPool pool;
    private final float[][] lanes;
    private double[] partials = new double[0];
    private float[] x;
    private int xo;
    private long n;
    private boolean squares;

    Sums(WorkerPool pool) {
        this.pool = pool;
        lanes = new float[pool.workers()][LANES];
    }

    /** The sum of x[xo..xo+n) (or of the squares), rounded to float. */
    float sum(float[] x, int xo, long n, boolean squares) {
        int chunks = (int) ((n + CHUNK - 1) / CHUNK);
        if (partials.length < chunks) {
            partials = new double[chunks];
        }
        this.x = x;
        this.xo = xo;
        this.n = n;
        this.squares = squares;
        try {
            pool.forEach(chunks, this);
        } finally {
            this.x = null;
        }
        double total = 0;
        for (int k = 0; k < chunks; k++) {
            total += partials[k];
        }
        return (float) total;
    }

    @Override
    public void run(int task, int worker) {
        int from = xo + task * CHUNK;
        int to = (int) Math.min(xo + n, (long) from + CHUNK);
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = from;
        if (squares) {
            for (; i + 4 * LANES <= to; i += 4 * LANES) {
                FloatVector v0 = FloatVector.fromArray(S, x, i);
                FloatVector v1 = FloatVector.fromArray(S, x, i + LANES);
                FloatVector v2 = FloatVector.fromArray(S, x, i + 2 * LANES);
                FloatVector v3 = FloatVector.fromArray(S, x, i + 3 * LANES);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
        } else {
            for (; i + 4 * LANES <= to; i += 4 * LANES) {
                a0 = a0.add(FloatVector.fromArray(S, x, i));
                a1 = a1.add(FloatVector.fromArray(S, x, i + LANES));
                a2 = a2.add(FloatVector.fromArray(S, x, i + 2 * LANES));
                a3 = a3.add(FloatVector.fromArray(S, x, i + 3 * LANES));
            }
        }
        float s = VectorMath.sumLanes(a0.add(a1).add(a2.add(a3)), lanes[worker]);
        for (; i < to; i++) {
            s = squares ? Math.fma(x[i], x[i], s) : s + x[i];
        }
        partials[task] = s;
    }
}

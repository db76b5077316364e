package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * Fused softmax + masked cross-entropy over logits (N,V), and the argmax of greedy decoding. One row per step of a
 * task; with the arithmetic vocabulary (V = 16) a row is a single 512-bit vector.
 */
final class CrossEntropy {
    /** Rows per task. */
    static final int ROWS = 64;

    private final WorkerPool pool;
    private final float[][] lanes;
    private final float[][] row;

    private float[] losses, dlogits, logits, mask;
    private int[] targets, argmax;
    private int lossesO, dlogitsO, logitsO, targetsO, maskO, argmaxO;
    private float scale;
    private int n, v;

    private final WorkerPool.Task lossTask = this::lossRows;
    private final WorkerPool.Task argmaxTask = this::argmaxRows;

    CrossEntropy(WorkerPool pool) {
        this.pool = pool;
        lanes = new float[pool.workers()][LANES];
        row = new float[pool.workers()][0];
    }

    /**
     * losses (N) = mask * -log softmax(logits)[target]; dlogits (N,V) = dlossScale * mask * (softmax - onehot), or
     * null.
     */
    void forward(float[] losses, int lossesO, float[] dlogits, int dlogitsO, float[] logits, int logitsO,
                 int[] targets, int targetsO, float[] mask, int maskO, float dlossScale, int N, int V) {
        this.losses = losses;
        this.lossesO = lossesO;
        this.dlogits = dlogits;
        this.dlogitsO = dlogitsO;
        this.logits = logits;
        this.logitsO = logitsO;
        this.targets = targets;
        this.targetsO = targetsO;
        this.mask = mask;
        this.maskO = maskO;
        this.scale = dlossScale;
        this.n = N;
        this.v = V;
        try {
            pool.forEach((N + ROWS - 1) / ROWS, lossTask);
        } finally {
            release();
        }
    }

    private void lossRows(int task, int worker) {
        int V = v;
        float[] scratch = lanes[worker];
        if (row[worker].length < V) {
            row[worker] = new float[V];
        }
        float[] e = row[worker];
        int r1 = Math.min(n, (task + 1) * ROWS);
        for (int r = task * ROWS; r < r1; r++) {
            int x = logitsO + r * V;
            float m = mask[maskO + r];
            if (m == 0f) {
                losses[lossesO + r] = 0f;
                if (dlogits != null) {
                    Arrays.fill(dlogits, dlogitsO + r * V, dlogitsO + (r + 1) * V, 0f);
                }
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < V; i++) {
                max = Math.max(max, logits[x + i]);
            }
            FloatVector vmax = FloatVector.broadcast(S, max);
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (; i + LANES <= V; i += LANES) {
                FloatVector ex = VectorMath.exp(FloatVector.fromArray(S, logits, x + i).sub(vmax));
                ex.intoArray(e, i);
                acc = acc.add(ex);
            }
            float sum = VectorMath.sumLanes(acc, scratch);
            for (; i < V; i++) {
                e[i] = VectorMath.exp(logits[x + i] - max);
                sum += e[i];
            }
            int target = targets[targetsO + r];
            if (target < 0 || target >= V) {
                throw new IllegalArgumentException("target " + target + " at row " + r + " is outside [0, " + V + ")");
            }
            // -log p[target] = log(sum) - (logit[target] - max)
            losses[lossesO + r] = m * (float) (Math.log(sum) - (logits[x + target] - max));
            if (dlogits != null) {
                float g = scale * m;
                float inv = 1f / sum;
                int d = dlogitsO + r * V;
                for (int k = 0; k < V; k++) {
                    dlogits[d + k] = g * (e[k] * inv - (k == target ? 1f : 0f));
                }
            }
        }
    }

    /** out (N) = the index of the largest logit of each row (N,V); ties go to the smallest index. */
    void argmax(int[] out, int outO, float[] logits, int logitsO, int N, int V) {
        this.argmax = out;
        this.argmaxO = outO;
        this.logits = logits;
        this.logitsO = logitsO;
        this.n = N;
        this.v = V;
        try {
            pool.forEach((N + ROWS - 1) / ROWS, argmaxTask);
        } finally {
            release();
        }
    }

    private void argmaxRows(int task, int worker) {
        int V = v;
        int r1 = Math.min(n, (task + 1) * ROWS);
        for (int r = task * ROWS; r < r1; r++) {
            int x = logitsO + r * V;
            int best = 0;
            float bestValue = logits[x];
            for (int i = 1; i < V; i++) {
                if (logits[x + i] > bestValue) {
                    bestValue = logits[x + i];
                    best = i;
                }
            }
            argmax[argmaxO + r] = best;
        }
    }

    private void release() {
        losses = dlogits = logits = mask = null;
        targets = argmax = null;
    }
}

package dev.lengthgen.engine.cpu;

import java.util.Arrays;

/**
 * The additive attention bias (NH,T,T) looked up in a per-head table (NH,K) by bucket ids (T*T), and its backward
 * scatter into the table (see {@link dev.lengthgen.engine.Ops#bucketBiasForward}). The forward pass is split by
 * (head, block of query rows); the backward pass by head, each head's K sums accumulated in the worker's scratch in
 * row-major order of the causal entries, so the sum order is fixed and no two workers write the same entry.
 */
final class BucketBias implements WorkerPool.Task {
    /** Query rows per forward task. */
    static final int ROWS = 16;

    private final WorkerPool pool;
    private final double[][] sums;

    // the call in progress
    private float[] bias, table;
    private int[] buckets;
    private int biasO, tableO, bucketsO, nh, t, k;
    private boolean backward;

    BucketBias(WorkerPool pool) {
        this.pool = pool;
        this.sums = new double[pool.workers()][0];
    }

    /** bias (NH,T,T) written from table (NH,K) and buckets (T*T), 0 above the diagonal. */
    void forward(float[] bias, int biasO, float[] table, int tableO, int[] buckets, int bucketsO, int NH, int T,
                 int K) {
        set(bias, biasO, table, tableO, buckets, bucketsO, NH, T, K, false);
        try {
            pool.forEach(NH * ((T + ROWS - 1) / ROWS), this);
        } finally {
            release();
        }
    }

    /** dtable (NH,K) += dbias (NH,T,T) summed per bucket over the causal entries. */
    void backward(float[] dtable, int dtableO, float[] dbias, int dbiasO, int[] buckets, int bucketsO, int NH, int T,
                  int K) {
        set(dbias, dbiasO, dtable, dtableO, buckets, bucketsO, NH, T, K, true);
        try {
            pool.forEach(NH, this);
        } finally {
            release();
        }
    }

    private void set(float[] bias, int biasO, float[] table, int tableO, int[] buckets, int bucketsO, int NH, int T,
                     int K, boolean backward) {
        this.bias = bias;
        this.biasO = biasO;
        this.table = table;
        this.tableO = tableO;
        this.buckets = buckets;
        this.bucketsO = bucketsO;
        this.nh = NH;
        this.t = T;
        this.k = K;
        this.backward = backward;
    }

    private void release() {
        bias = table = null;
        buckets = null;
    }

    @Override
    public void run(int task, int worker) {
        int T = t, K = k;
        if (backward) {
            int h = task;
            if (sums[worker].length < K) {
                sums[worker] = new double[K];
            }
            double[] s = sums[worker];
            Arrays.fill(s, 0, K, 0.0);
            for (int i = 0; i < T; i++) {
                int db = biasO + (h * T + i) * T, bk = bucketsO + i * T;
                for (int j = 0; j <= i; j++) {
                    s[buckets[bk + j]] += bias[db + j];
                }
            }
            for (int b = 0; b < K; b++) {
                table[tableO + h * K + b] += (float) s[b];
            }
            return;
        }
        int blocks = (T + ROWS - 1) / ROWS;
        int h = task / blocks, i0 = (task % blocks) * ROWS, i1 = Math.min(T, i0 + ROWS);
        int tab = tableO + h * K;
        for (int i = i0; i < i1; i++) {
            int o = biasO + (h * T + i) * T, bk = bucketsO + i * T;
            for (int j = 0; j <= i; j++) {
                bias[o + j] = table[tab + buckets[bk + j]];
            }
            Arrays.fill(bias, o + i + 1, o + T, 0f);
        }
    }
}

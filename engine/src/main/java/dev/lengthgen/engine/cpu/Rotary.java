package dev.lengthgen.engine.cpu;

/**
 * Rotary position embedding of the q and k channels of qkv (B,T,3C) by position ids, and its transpose (see
 * {@link dev.lengthgen.engine.Ops#rotaryForward}): pairs (2i, 2i+1) of each head rotated by pos * base^(-2i/hs).
 *
 * <p>The cosines and sines are computed in double with {@link StrictMath} and rounded to float once, so they are the
 * same bits wherever they come from: a table over positions [0, tablePositions), built on first use and grown as
 * larger ids appear (up to {@link #TABLE_LIMIT}), or, for ids outside it (negative, or very large ones), per token
 * into the worker's scratch row. Work is split by tokens; every element is written by one worker.
 */
final class Rotary implements WorkerPool.Task {
    /** Tokens per task. */
    static final int ROWS = 16;
    /** Largest table, in positions: at hs = 64 it holds 16384 * 32 (cos, sin) pairs, 4 MiB. */
    static final int TABLE_LIMIT = 1 << 14;

    private final WorkerPool pool;
    // the table: (position, pair) -> cos, sin; valid for (tableBase, tableHalf)
    private float tableBase;
    private int tableHalf;
    private int tablePositions;
    private float[] cosTable = new float[0], sinTable = new float[0];
    private double[] frequencies = new double[0];
    // per worker: one token's cos and sin when its id is outside the table
    private final float[][] scratchCos, scratchSin;

    // the call in progress
    private float[] dst, src;
    private int[] pos;
    private int dstO, srcO, posO, n, c, nh;
    private boolean transposeAndAccumulate;

    Rotary(WorkerPool pool) {
        this.pool = pool;
        scratchCos = new float[pool.workers()][0];
        scratchSin = new float[pool.workers()][0];
    }

    /**
     * dst (N,3C) = R(pos) src for q and k and = src for v (forward), or dst += R(pos)^T src and += src
     * (backward). dst may be src.
     */
    void apply(float[] dst, int dstO, float[] src, int srcO, int[] pos, int posO, float base, int N, int C, int NH,
               boolean transposeAndAccumulate) {
        int half = C / NH / 2;
        prepareTable(pos, posO, N, base, half);
        this.dst = dst;
        this.dstO = dstO;
        this.src = src;
        this.srcO = srcO;
        this.pos = pos;
        this.posO = posO;
        this.n = N;
        this.c = C;
        this.nh = NH;
        this.transposeAndAccumulate = transposeAndAccumulate;
        try {
            pool.forEach((N + ROWS - 1) / ROWS, this);
        } finally {
            this.dst = this.src = null;
            this.pos = null;
        }
    }

    /** Makes the table cover the ids in use (up to the limit) for this base and head size. */
    private void prepareTable(int[] pos, int posO, int N, float base, int half) {
        if (base != tableBase || half != tableHalf) {
            tableBase = base;
            tableHalf = half;
            tablePositions = 0;
            frequencies = new double[half];
            for (int i = 0; i < half; i++) {
                frequencies[i] = StrictMath.pow(base, -2.0 * i / (2 * half));
            }
        }
        int largest = -1;   // of the ids the table can hold: one huge id should not make it the largest table
        for (int k = 0; k < N; k++) {
            int p = pos[posO + k];
            if (p < TABLE_LIMIT) {
                largest = Math.max(largest, p);
            }
        }
        int needed = largest + 1;
        if (needed <= tablePositions) {
            return;
        }
        int positions = Math.min(TABLE_LIMIT, Math.max(needed, Math.max(64, 2 * tablePositions)));
        float[] cos = new float[positions * half], sin = new float[positions * half];
        System.arraycopy(cosTable, 0, cos, 0, tablePositions * half);
        System.arraycopy(sinTable, 0, sin, 0, tablePositions * half);
        for (int p = tablePositions; p < positions; p++) {
            fill(p, cos, sin, p * half);
        }
        cosTable = cos;
        sinTable = sin;
        tablePositions = positions;
    }

    /** cos and sin of position p's angles, rounded to float, into [at, at + half). */
    private void fill(int p, float[] cos, float[] sin, int at) {
        for (int i = 0; i < tableHalf; i++) {
            double a = p * frequencies[i];
            cos[at + i] = (float) StrictMath.cos(a);
            sin[at + i] = (float) StrictMath.sin(a);
        }
    }

    @Override
    public void run(int task, int worker) {
        int C = c, C3 = 3 * C, half = tableHalf, hs = 2 * half;
        int r1 = Math.min(n, (task + 1) * ROWS);
        for (int r = task * ROWS; r < r1; r++) {
            int p = pos[posO + r];
            float[] cos, sin;
            int at;
            if (p >= 0 && p < tablePositions) {
                cos = cosTable;
                sin = sinTable;
                at = p * half;
            } else {
                if (scratchCos[worker].length < half) {
                    scratchCos[worker] = new float[half];
                    scratchSin[worker] = new float[half];
                }
                cos = scratchCos[worker];
                sin = scratchSin[worker];
                at = 0;
                fill(p, cos, sin, 0);
            }
            int s = srcO + r * C3, d = dstO + r * C3;
            for (int part = 0; part < 2 * C; part += C) {   // q, then k
                for (int h = 0; h < nh; h++) {
                    int hb = part + h * hs;
                    if (transposeAndAccumulate) {
                        for (int i = 0; i < half; i++) {
                            float x0 = src[s + hb + 2 * i], x1 = src[s + hb + 2 * i + 1];
                            float co = cos[at + i], si = sin[at + i];
                            dst[d + hb + 2 * i] += x0 * co + x1 * si;
                            dst[d + hb + 2 * i + 1] += x1 * co - x0 * si;
                        }
                    } else {
                        for (int i = 0; i < half; i++) {
                            float x0 = src[s + hb + 2 * i], x1 = src[s + hb + 2 * i + 1];
                            float co = cos[at + i], si = sin[at + i];
                            dst[d + hb + 2 * i] = x0 * co - x1 * si;
                            dst[d + hb + 2 * i + 1] = x0 * si + x1 * co;
                        }
                    }
                }
            }
            if (transposeAndAccumulate) {
                for (int k = 2 * C; k < C3; k++) {
                    dst[d + k] += src[s + k];
                }
            } else if (dst != src || d != s) {
                System.arraycopy(src, s + 2 * C, dst, d + 2 * C, C);
            }
        }
    }
}

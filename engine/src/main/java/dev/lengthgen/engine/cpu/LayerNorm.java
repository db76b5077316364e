package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * Layernorm over the last dimension (eps 1e-5), one row at a time: the row (C floats) stays in L1 between the
 * statistics sweep and the output sweep, so each row is read from memory once.
 *
 * <p>Backward: dinp per row needs only its row; dweight and dbias sum over all N rows. For a deterministic sum the
 * rows are cut into fixed blocks of {@link #ROWS} (independent of the thread count): each block writes its partial
 * sums to its own scratch row, and a second pass adds the blocks in order.
 */
final class LayerNorm {
    static final float EPS = 1e-5f;
    /** Rows per backward task; also the granularity of the dweight/dbias partial sums. */
    static final int ROWS = 32;

    private final WorkerPool pool;
    private final float[][] lanes;
    private float[] partials = new float[0];

    // the call in flight
    private float[] out, mean, rstd, inp, weight, bias, dinp, dweight, dbias, dout;
    private int outO, meanO, rstdO, inpO, weightO, biasO, dinpO, dweightO, dbiasO, doutO;
    private int n, c;

    private final WorkerPool.Task forwardTask = this::forwardRows;
    private final WorkerPool.Task backwardTask = this::backwardRows;
    private final WorkerPool.Task reduceTask = this::reduceColumns;

    LayerNorm(WorkerPool pool) {
        this.pool = pool;
        this.lanes = new float[pool.workers()][LANES];
    }

    /** out (N,C) = (inp - mean) * rstd * weight + bias; mean (N), rstd (N) written; bias may be null. */
    void forward(float[] out, int outO, float[] mean, int meanO, float[] rstd, int rstdO, float[] inp, int inpO,
                 float[] weight, int weightO, float[] bias, int biasO, int N, int C) {
        this.out = out;
        this.outO = outO;
        this.mean = mean;
        this.meanO = meanO;
        this.rstd = rstd;
        this.rstdO = rstdO;
        this.inp = inp;
        this.inpO = inpO;
        this.weight = weight;
        this.weightO = weightO;
        this.bias = bias;
        this.biasO = biasO;
        this.n = N;
        this.c = C;
        try {
            pool.forEach((N + ROWS - 1) / ROWS, forwardTask);
        } finally {
            release();
        }
    }

    /** dinp (N,C) +=, dweight (C) +=, dbias (C) += (or null). */
    void backward(float[] dinp, int dinpO, float[] dweight, int dweightO, float[] dbias, int dbiasO, float[] dout,
                  int doutO, float[] inp, int inpO, float[] weight, int weightO, float[] mean, int meanO,
                  float[] rstd, int rstdO, int N, int C) {
        this.dinp = dinp;
        this.dinpO = dinpO;
        this.dweight = dweight;
        this.dweightO = dweightO;
        this.dbias = dbias;
        this.dbiasO = dbiasO;
        this.dout = dout;
        this.doutO = doutO;
        this.inp = inp;
        this.inpO = inpO;
        this.weight = weight;
        this.weightO = weightO;
        this.mean = mean;
        this.meanO = meanO;
        this.rstd = rstd;
        this.rstdO = rstdO;
        this.n = N;
        this.c = C;
        int blocks = (N + ROWS - 1) / ROWS;
        if (partials.length < (long) blocks * 2 * C) {
            partials = new float[blocks * 2 * C];
        }
        try {
            pool.forEach(blocks, backwardTask);
            pool.forEach((C + LANES - 1) / LANES, reduceTask);
        } finally {
            release();
        }
    }

    private void release() {
        out = mean = rstd = inp = weight = bias = dinp = dweight = dbias = dout = null;
    }

    private void forwardRows(int block, int worker) {
        float[] scratch = lanes[worker];
        int C = c;
        int r1 = Math.min(n, (block + 1) * ROWS);
        for (int r = block * ROWS; r < r1; r++) {
            int x = inpO + r * C;
            // mean
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (; i + LANES <= C; i += LANES) {
                acc = acc.add(FloatVector.fromArray(S, inp, x + i));
            }
            float s = VectorMath.sumLanes(acc, scratch);
            for (; i < C; i++) {
                s += inp[x + i];
            }
            float m = s / C;
            // variance about the mean (two sweeps over an L1-resident row: no cancellation)
            FloatVector vm = FloatVector.broadcast(S, m);
            acc = FloatVector.zero(S);
            i = 0;
            for (; i + LANES <= C; i += LANES) {
                FloatVector d = FloatVector.fromArray(S, inp, x + i).sub(vm);
                acc = d.fma(d, acc);
            }
            float v = VectorMath.sumLanes(acc, scratch);
            for (; i < C; i++) {
                float d = inp[x + i] - m;
                v = Math.fma(d, d, v);
            }
            float rs = 1f / (float) Math.sqrt(v / C + EPS);
            mean[meanO + r] = m;
            rstd[rstdO + r] = rs;
            // out
            int o = outO + r * C;
            FloatVector vrs = FloatVector.broadcast(S, rs);
            i = 0;
            for (; i + LANES <= C; i += LANES) {
                FloatVector norm = FloatVector.fromArray(S, inp, x + i).sub(vm).mul(vrs);
                FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, biasO + i);
                norm.fma(FloatVector.fromArray(S, weight, weightO + i), b).intoArray(out, o + i);
            }
            for (; i < C; i++) {
                float norm = (inp[x + i] - m) * rs;
                out[o + i] = Math.fma(norm, weight[weightO + i], bias == null ? 0f : bias[biasO + i]);
            }
        }
    }

    /**
     * Per row: norm = (x - mean) rstd, dnorm = weight * dout,
     * dinp += rstd (dnorm - mean(dnorm) - norm * mean(dnorm * norm)); the block's partial dweight += norm * dout,
     * dbias += dout.
     */
    private void backwardRows(int block, int worker) {
        float[] scratch = lanes[worker];
        int C = c;
        int pw = block * 2 * C;
        int pb = pw + C;
        Arrays.fill(partials, pw, pw + 2 * C, 0f);
        int r1 = Math.min(n, (block + 1) * ROWS);
        for (int r = block * ROWS; r < r1; r++) {
            int x = inpO + r * C;
            int g = doutO + r * C;
            float m = mean[meanO + r];
            float rs = rstd[rstdO + r];
            FloatVector vm = FloatVector.broadcast(S, m);
            FloatVector vrs = FloatVector.broadcast(S, rs);
            FloatVector accD = FloatVector.zero(S);
            FloatVector accDN = FloatVector.zero(S);
            int i = 0;
            for (; i + LANES <= C; i += LANES) {
                FloatVector norm = FloatVector.fromArray(S, inp, x + i).sub(vm).mul(vrs);
                FloatVector dnorm = FloatVector.fromArray(S, weight, weightO + i)
                        .mul(FloatVector.fromArray(S, dout, g + i));
                accD = accD.add(dnorm);
                accDN = dnorm.fma(norm, accDN);
            }
            float sumD = VectorMath.sumLanes(accD, scratch);
            float sumDN = VectorMath.sumLanes(accDN, scratch);
            for (; i < C; i++) {
                float norm = (inp[x + i] - m) * rs;
                float dnorm = weight[weightO + i] * dout[g + i];
                sumD += dnorm;
                sumDN = Math.fma(dnorm, norm, sumDN);
            }
            float meanD = sumD / C;
            float meanDN = sumDN / C;
            FloatVector vmD = FloatVector.broadcast(S, meanD);
            FloatVector vmDN = FloatVector.broadcast(S, meanDN);
            int d = dinpO + r * C;
            i = 0;
            for (; i + LANES <= C; i += LANES) {
                FloatVector dy = FloatVector.fromArray(S, dout, g + i);
                FloatVector norm = FloatVector.fromArray(S, inp, x + i).sub(vm).mul(vrs);
                FloatVector dnorm = FloatVector.fromArray(S, weight, weightO + i).mul(dy);
                FloatVector t = dnorm.sub(vmD).sub(norm.mul(vmDN));
                t.fma(vrs, FloatVector.fromArray(S, dinp, d + i)).intoArray(dinp, d + i);
                norm.fma(dy, FloatVector.fromArray(S, partials, pw + i)).intoArray(partials, pw + i);
                FloatVector.fromArray(S, partials, pb + i).add(dy).intoArray(partials, pb + i);
            }
            for (; i < C; i++) {
                float dy = dout[g + i];
                float norm = (inp[x + i] - m) * rs;
                float dnorm = weight[weightO + i] * dy;
                float t = dnorm - meanD - norm * meanDN;
                dinp[d + i] = Math.fma(t, rs, dinp[d + i]);
                partials[pw + i] = Math.fma(norm, dy, partials[pw + i]);
                partials[pb + i] += dy;
            }
        }
    }

    /** dweight, dbias += the blocks' partial sums, block 0 first; one task per LANES columns. */
    private void reduceColumns(int task, int worker) {
        int C = c;
        int c0 = task * LANES;
        int c1 = Math.min(C, c0 + LANES);
        int blocks = (n + ROWS - 1) / ROWS;
        for (int col = c0; col < c1; col++) {
            float sw = 0f;
            float sb = 0f;
            for (int b = 0; b < blocks; b++) {
                sw += partials[b * 2 * C + col];
                sb += partials[b * 2 * C + C + col];
            }
            dweight[dweightO + col] += sw;
            if (dbias != null) {
                dbias[dbiasO + col] += sb;
            }
        }
    }
}

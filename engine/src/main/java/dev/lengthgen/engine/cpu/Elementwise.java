package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.random.DropoutMask;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * The element-wise ops (GELU, residual add, dropout), forward and backward, cut into fixed chunks that workers take
 * in any order: each element depends only on its own inputs, so the split cannot change a result.
 */
final class Elementwise implements WorkerPool.Task {
    /** Elements per task: large enough to amortize dispatch, small enough to balance two to a few dozen workers. */
    static final int CHUNK = 16384;

    private enum Kind { GELU_FORWARD, GELU_BACKWARD, RESIDUAL_FORWARD, RESIDUAL_BACKWARD, DROPOUT_FORWARD,
        DROPOUT_BACKWARD, ZERO, COPY }

    private final WorkerPool pool;
    private final int[][] uniformBits;
    private final long[][] longLanes;
    private final float[][] factors;
    private final DropoutMaskCache masks = new DropoutMaskCache();
    /** The mask of the dropout call in flight: read (backward, cached) or filled (forward). */
    private long[] maskWords;
    private boolean maskCached;
    private Kind kind;
    private int n;
    private float[] x, y, z;
    private int xo, yo, zo;
    private float[] w;
    private int wo;
    private float p;
    private DropoutKey key;

    Elementwise(WorkerPool pool) {
        this.pool = pool;
        uniformBits = new int[pool.workers()][CHUNK];
        longLanes = new long[pool.workers()][PhiloxLanes.LANES];
        factors = new float[pool.workers()][CHUNK];
    }

    /** x (N) = 0: large buffers (a step's gradients) are memory-bound, and two cores move more bytes than one. */
    void zero(float[] x, int xo, int n) {
        dispatch(Kind.ZERO, n, x, xo, null, 0, null, 0);
    }

    /** dst (N) = src. */
    void copy(float[] dst, int dstO, float[] src, int srcO, int n) {
        dispatch(Kind.COPY, n, dst, dstO, src, srcO, null, 0);
    }

    /** out (N) = GELU(inp). */
    void geluForward(float[] out, int outOff, float[] inp, int inpOff, int N) {
        dispatch(Kind.GELU_FORWARD, N, out, outOff, inp, inpOff, null, 0);
    }

    /** dinp (N) += GELU'(inp) * dout. */
    void geluBackward(float[] dinp, int dinpOff, float[] inp, int inpOff, float[] dout, int doutOff, int N) {
        dispatch(Kind.GELU_BACKWARD, N, dinp, dinpOff, inp, inpOff, dout, doutOff);
    }

    /** out (N) = a + b. */
    void residualForward(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int N) {
        dispatch(Kind.RESIDUAL_FORWARD, N, out, outOff, a, aOff, b, bOff);
    }

    /** da (N) += dout, db (N) += dout. */
    void residualBackward(float[] da, int daOff, float[] db, int dbOff, float[] dout, int doutOff, int N) {
        this.w = db;
        this.wo = dbOff;
        dispatch(Kind.RESIDUAL_BACKWARD, N, da, daOff, dout, doutOff, null, 0);
    }

    /** out (N) = inp * keep / (1 - p), keep from {@link DropoutMask}. */
    void dropoutForward(float[] out, int outOff, float[] inp, int inpOff, float p, DropoutKey key, int N) {
        this.p = p;
        this.key = key;
        maskWords = p > 0f ? masks.claim(key, p, N) : null;
        maskCached = false;
        try {
            dispatch(Kind.DROPOUT_FORWARD, N, out, outOff, inp, inpOff, null, 0);
        } catch (RuntimeException | Error e) {
            masks.forget(maskWords);
            throw e;
        } finally {
            maskWords = null;
        }
    }

    /** dinp (N) += dout * keep / (1 - p). */
    void dropoutBackward(float[] dinp, int dinpOff, float[] dout, int doutOff, float p, DropoutKey key, int N) {
        this.p = p;
        this.key = key;
        maskWords = p > 0f ? masks.find(key, p, N) : null;
        maskCached = maskWords != null;
        try {
            dispatch(Kind.DROPOUT_BACKWARD, N, dinp, dinpOff, dout, doutOff, null, 0);
        } finally {
            maskWords = null;
        }
    }

    private void dispatch(Kind kind, int n, float[] x, int xo, float[] y, int yo, float[] z, int zo) {
        this.kind = kind;
        this.n = n;
        this.x = x;
        this.xo = xo;
        this.y = y;
        this.yo = yo;
        this.z = z;
        this.zo = zo;
        try {
            pool.forEach((n + CHUNK - 1) / CHUNK, this);
        } finally {
            this.x = null;
            this.y = null;
            this.z = null;
            this.w = null;
            this.key = null;
        }
    }

    @Override
    public void run(int task, int worker) {
        int from = task * CHUNK;
        int to = Math.min(n, from + CHUNK);
        switch (kind) {
            case GELU_FORWARD: geluForward(from, to); break;
            case GELU_BACKWARD: geluBackward(from, to); break;
            case RESIDUAL_FORWARD: residualForward(from, to); break;
            case RESIDUAL_BACKWARD: residualBackward(from, to); break;
            case DROPOUT_FORWARD: dropout(from, to, false, worker); break;
            case DROPOUT_BACKWARD: dropout(from, to, true, worker); break;
            case ZERO: Arrays.fill(x, xo + from, xo + to, 0f); break;
            case COPY: System.arraycopy(y, yo + from, x, xo + from, to - from); break;
            default: throw new IllegalStateException(kind.toString());
        }
    }

    // x = out, y = inp
    private void geluForward(int from, int to) {
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            VectorMath.gelu(FloatVector.fromArray(S, y, yo + i)).intoArray(x, xo + i);
        }
        for (; i < to; i++) {
            x[xo + i] = VectorMath.gelu(y[yo + i]);
        }
    }

    // x = dinp, y = inp, z = dout
    private void geluBackward(int from, int to) {
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector g = VectorMath.geluGrad(FloatVector.fromArray(S, y, yo + i));
            g.fma(FloatVector.fromArray(S, z, zo + i), FloatVector.fromArray(S, x, xo + i)).intoArray(x, xo + i);
        }
        for (; i < to; i++) {
            x[xo + i] = Math.fma(VectorMath.geluGrad(y[yo + i]), z[zo + i], x[xo + i]);
        }
    }

    // x = out, y = a, z = b
    private void residualForward(int from, int to) {
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, z, zo + i)).intoArray(x, xo + i);
        }
        for (; i < to; i++) {
            x[xo + i] = y[yo + i] + z[zo + i];
        }
    }

    // x = da, w = db, y = dout
    private void residualBackward(int from, int to) {
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector d = FloatVector.fromArray(S, y, yo + i);
            FloatVector.fromArray(S, x, xo + i).add(d).intoArray(x, xo + i);
            FloatVector.fromArray(S, w, wo + i).add(d).intoArray(w, wo + i);
        }
        for (; i < to; i++) {
            x[xo + i] += y[yo + i];
            w[wo + i] += y[yo + i];
        }
    }

    /**
     * Forward: x = out, y = inp (written); backward: x = dinp, y = dout (accumulated). Element i is kept iff
     * {@link DropoutMask#keep}: its Philox uniform (bits &gt;&gt;&gt; 8) * 2^-24 is &gt;= p, i.e. iff the 24 bits, as
     * an integer, are &gt;= ceil(p 2^24). A chunk's bits are drawn vectorized ({@link PhiloxLanes}) unless the forward
     * pass left its mask in the cache; either way the chunk's keep/drop becomes a factor (1/(1-p) or 0) per element,
     * applied with vector multiplies. Chunks are whole 64-element words of the mask, so tasks never share a word.
     */
    private void dropout(int from, int to, boolean backward, int worker) {
        if (p <= 0f) {
            for (int i = from; i < to; i++) {
                x[xo + i] = backward ? x[xo + i] + y[yo + i] : y[yo + i];
            }
            return;
        }
        float scale = 1f / (1f - p);
        float[] factor = factors[worker];
        int count = to - from;
        long[] words = maskWords;
        if (maskCached) {
            for (int j = 0; j < count; j++) {
                int i = from + j;
                factor[j] = ((words[i >>> 6] >>> (i & 63)) & 1L) != 0 ? scale : 0f;
            }
        } else {
            int threshold = (int) Math.ceil(p * 16777216.0);
            int[] bits = uniformBits[worker];
            PhiloxLanes.uniformBits(key, from, count, bits, longLanes[worker]);
            for (int j = 0; j < count; j++) {
                factor[j] = bits[j] >= threshold ? scale : 0f;
            }
            if (words != null) {
                // remember the mask for the backward pass: bit i of word i/64
                for (int w = from >>> 6; w < (to + 63) >>> 6; w++) {
                    long word = 0;
                    int base = w << 6;
                    for (int b = 0; b < 64 && base + b < to; b++) {
                        if (bits[base + b - from] >= threshold) {
                            word |= 1L << b;
                        }
                    }
                    words[w] = word;
                }
            }
        }
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector v = FloatVector.fromArray(S, y, yo + i).mul(FloatVector.fromArray(S, factor, i - from));
            if (backward) {
                v = v.add(FloatVector.fromArray(S, x, xo + i));
            }
            v.intoArray(x, xo + i);
        }
        for (; i < to; i++) {
            float v = y[yo + i] * factor[i - from];
            x[xo + i] = backward ? x[xo + i] + v : v;
        }
    }
}

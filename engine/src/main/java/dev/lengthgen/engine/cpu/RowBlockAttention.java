package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * One worker's attention of one (batch, head) for heads and sequences small enough that a head's operands sit in L1.
 * Every product runs on the 8-row register blocks of {@link RowBlockKernels}, skipping the blocks above the diagonal:
 *
 * <pre>
 * forward   s = q . k^T (row block x key vector)        o = p . v (row block x channel vector, keys &lt; block end)
 * backward  dp = dout . v^T                             dq = ds . k,  dk = ds^T . q,  dv = p^T . dout (key blocks)
 * </pre>
 * k (forward) and v (backward) are transposed into a buffer; the other operands are read where they lie when a head's
 * channels are whole vectors, and results of whole row blocks go straight to their destination. Only a row block
 * that runs past the sequence's end (reading or writing the next sequence's rows) and heads of other widths go
 * through zero-padded copies. Softmax rows work in whole vectors of key positions, the lanes past the diagonal
 * masked; preatt, att, datt and dpreatt rows are stored from those vectors.
 *
 * <p>Every sum runs over its index in ascending order with one fused multiply-add per term, as the plain loops of
 * the reference do, so a result does not depend on the blocking: entries of p and ds above the diagonal are zeros,
 * which add nothing, and padding rows are never read into a kept result.
 *
 * <p>Buffers: TP = T rounded up to a vector (row stride of T-wide rows), TR = T rounded up to a row block, HP = hs
 * rounded up to a vector (row stride of hs-wide rows). They grow on the first call at a larger shape and are zeroed
 * whenever the shape changes, so the regions no call writes stay zero.
 */
final class RowBlockAttention {
    private static final int R = RowBlockKernels.R;
    private static final FloatVector IOTA = FloatVector.fromArray(S, iota(), 0);

    private int T = -1, hs = -1, TP, TR, HP;
    /** Whether the head's channels are whole vectors, so operands are read and results written in place. */
    private boolean inPlace;
    /** Zero-padded hs-wide rows, TR x HP: q or dout (the left operand of s and dp), and k, v (other widths). */
    private float[] a = new float[0], k = new float[0], v = new float[0];
    /** Transposed operand, HP x TP: k^T (forward), v^T (backward). */
    private float[] t = new float[0];
    /** TR x TP: scores or dp; probabilities; ds. */
    private float[] s = new float[0], p = new float[0], d = new float[0];
    /** The bias row of the softmax in flight, TP wide; zeros for heads without a bias. */
    private float[] biasRow = new float[0];
    /** Whether biasRow holds a bias (from the last forward call) rather than zeros. */
    private boolean biased;
    /** An hs-wide product of the row blocks that do not go in place, TR x HP. */
    private float[] o = new float[0];
    private final float[] lanes = new float[LANES];

    private static float[] iota() {
        float[] x = new float[LANES];
        for (int i = 0; i < LANES; i++) {
            x[i] = i;
        }
        return x;
    }

    private void shape(int T, int hs) {
        if (T == this.T && hs == this.hs) {
            return;
        }
        this.T = T;
        this.hs = hs;
        TP = (T + LANES - 1) / LANES * LANES;
        TR = (T + R - 1) / R * R;
        HP = (hs + LANES - 1) / LANES * LANES;
        inPlace = hs % LANES == 0;
        a = zeroed(a, TR * HP);
        k = zeroed(k, TR * HP);
        v = zeroed(v, TR * HP);
        t = zeroed(t, HP * TP);
        s = zeroed(s, TR * TP);
        p = zeroed(p, TR * TP);
        d = zeroed(d, TR * TP);
        o = zeroed(o, TR * HP);
        biasRow = zeroed(biasRow, TP);
        biased = false;
    }

    private static float[] zeroed(float[] x, int n) {
        if (x.length < n) {
            return new float[n];
        }
        Arrays.fill(x, 0f);
        return x;
    }

    /** dst rows [from, T) (stride HP) = hs channels of the rows of src at srcO + row*stride. */
    private void copyRows(float[] src, int srcO, int stride, float[] dst, int from) {
        for (int r = from; r < T; r++) {
            System.arraycopy(src, srcO + r * stride, dst, r * HP, hs);
        }
    }

    /** t (HP x TP) = the transpose of hs channels of rows &lt; T of src. */
    private void transpose(float[] src, int srcO, int stride) {
        for (int r = 0; r < T; r++) {
            int from = srcO + r * stride;
            for (int c = 0; c < hs; c++) {
                t[c * TP + r] = src[from + c];
            }
        }
    }

    /** First row of the block that runs past T (T itself when T is whole blocks). */
    private int lastBlock() {
        return T / R * R;
    }

    /**
     * x (TR x TP) = rows of the left operand . t, every row block over the key vectors up to its last row. The left
     * operand's rows are read at src + row*stride (hs channels each) where in place, else from the padded copy in a.
     */
    private void products(float[] src, int srcO, int stride, float[] x) {
        int last = lastBlock();
        if (inPlace) {
            copyRows(src, srcO, stride, a, last);
        } else {
            copyRows(src, srcO, stride, a, 0);
        }
        for (int r0 = 0; r0 < T; r0 += R) {
            int lastKey = Math.min(r0 + R, T) - 1;
            boolean direct = inPlace && r0 < last;
            for (int j = 0; j * LANES <= lastKey; j++) {
                if (direct) {
                    RowBlockKernels.rows(hs, src, srcO + r0 * stride, stride, t, j * LANES, TP, x, r0 * TP + j * LANES,
                            TP);
                } else {
                    RowBlockKernels.rows(hs, a, r0 * HP, HP, t, j * LANES, TP, x, r0 * TP + j * LANES, TP);
                }
            }
        }
    }

    /**
     * dst rows (stride from dstO, hs channels) += alpha * w . b, or = w . b when store: w (TR x TP) zero above the
     * diagonal, b rows at b + row*bStride; each row block sums over the keys before its end.
     */
    private void weightedRows(float[] w, float[] b, int bo, int bStride, float[] dst, int dstO, int stride,
                              float alpha, boolean store) {
        int last = inPlace ? lastBlock() : 0;
        for (int r0 = 0; r0 < T; r0 += R) {
            int kc = Math.min(r0 + R, T);
            for (int c = 0; c < HP; c += LANES) {
                if (r0 < last && store) {
                    RowBlockKernels.rows(kc, w, r0 * TP, TP, b, bo + c, bStride, dst, dstO + r0 * stride + c, stride);
                } else if (r0 < last) {
                    RowBlockKernels.rowsAdd(kc, w, r0 * TP, TP, b, bo + c, bStride, dst, dstO + r0 * stride + c, stride,
                            alpha);
                } else {
                    RowBlockKernels.rows(kc, w, r0 * TP, TP, b, bo + c, bStride, o, r0 * HP + c, HP);
                }
            }
        }
        addRows(last, alpha, store, dst, dstO, stride);
    }

    /**
     * dst rows (stride from dstO, hs channels) += alpha * w^T . b for w (TR x TP) zero above the diagonal: key block
     * [k0, k0+8) sums over the rows &gt;= k0; b rows at b + row*bStride.
     */
    private void transposedRows(float[] w, float[] b, int bo, int bStride, float[] dst, int dstO, int stride,
                                float alpha) {
        int last = inPlace ? lastBlock() : 0;
        for (int k0 = 0; k0 < T; k0 += R) {
            for (int c = 0; c < HP; c += LANES) {
                if (k0 < last) {
                    RowBlockKernels.colsAdd(T - k0, w, k0 * TP + k0, TP, b, bo + k0 * bStride + c, bStride, dst,
                            dstO + k0 * stride + c, stride, alpha);
                } else {
                    RowBlockKernels.cols(T - k0, w, k0 * TP + k0, TP, b, bo + k0 * bStride + c, bStride, o,
                            k0 * HP + c, HP);
                }
            }
        }
        addRows(last, alpha, false, dst, dstO, stride);
    }

    /** dst rows [from, T) (stride, from dstO), hs channels: = o rows (store) or += alpha * o rows. */
    private void addRows(int from, float alpha, boolean store, float[] dst, int dstO, int stride) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (int r = from; r < T; r++) {
            int x = r * HP;
            int y = dstO + r * stride;
            if (store) {
                System.arraycopy(o, x, dst, y, hs);
                continue;
            }
            int c = 0;
            for (; c + LANES <= hs; c += LANES) {
                FloatVector.fromArray(S, o, x + c).fma(va, FloatVector.fromArray(S, dst, y + c)).intoArray(dst, y + c);
            }
            for (; c < hs; c++) {
                dst[y + c] = Math.fma(o[x + c], alpha, dst[y + c]);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Head h of one sequence (qkv rows of 3C from qkvO): preatt and att rows (T x T at pre and at), out rows (C
     * apart from outO, hs channels), from qkv and bias rows (T x T at biasO) or null.
     */
    void forward(float[] qkv, int qkvO, int C, int h, int hs, int T, float scale, float[] bias, int biasO,
                 float[] preatt, int pre, float[] att, int at, float[] out, int outO) {
        shape(T, hs);
        int stride = 3 * C;
        if (bias == null && biased) {
            Arrays.fill(biasRow, 0f);
        }
        biased = bias != null;
        transpose(qkv, qkvO + C + h * hs, stride);
        products(qkv, qkvO + h * hs, stride, s);
        for (int r = 0; r < T; r++) {
            softmaxRow(r, scale, bias, biasO + r * T, preatt, pre, att, at);
        }
        if (inPlace) {
            weightedRows(p, qkv, qkvO + 2 * C + h * hs, stride, out, outO, C, 1f, true);
        } else {
            copyRows(qkv, qkvO + 2 * C + h * hs, stride, v, 0);
            weightedRows(p, v, 0, HP, out, outO, C, 1f, true);
        }
    }

    /**
     * Row r: preatt = s scaled plus the bias row (0 past the diagonal), p = its softmax (0 past the diagonal), both
     * copied to their output rows (at pre and at, the head's first rows). One method with one call of exp, sumLanes
     * and maxLanes: large enough that its callers do not inline it, small enough that the JIT inlines those here (a
     * vector handed to a method that is not inlined is boxed on the heap). No vector is chosen by a branch: without
     * a bias the same adds read a row of zeros, and every vector is masked past the diagonal (a no-op but in the
     * last).
     */
    private void softmaxRow(int r, float scale, float[] bias, int bo, float[] preatt, int pre, float[] att, int at) {
        if (bias != null) {
            System.arraycopy(bias, bo, biasRow, 0, r + 1);
        }
        int n = r / LANES + 1;
        int row = r * TP;
        FloatVector vscale = FloatVector.broadcast(S, scale);
        FloatVector zero = FloatVector.zero(S);
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j++) {
            int i = j * LANES;
            VectorMask<Float> past = IOTA.compare(VectorOperators.GT, r - i);
            FloatVector x = FloatVector.fromArray(S, s, row + i).mul(vscale).add(FloatVector.fromArray(S, biasRow, i));
            x.blend(zero, past).intoArray(s, row + i);
            vmax = vmax.max(x.blend(Float.NEGATIVE_INFINITY, past));
        }
        Arrays.fill(s, row + n * LANES, row + TP, 0f);
        FloatVector vm = FloatVector.broadcast(S, vmax.reduceLanes(VectorOperators.MAX));
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < n; j++) {
            int i = j * LANES;
            VectorMask<Float> past = IOTA.compare(VectorOperators.GT, r - i);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, s, row + i).sub(vm)).blend(zero, past);
            e.intoArray(p, row + i);
            sum = sum.add(e);
        }
        FloatVector vinv = FloatVector.broadcast(S, 1f / VectorMath.sumLanes(sum));
        for (int j = 0; j < n; j++) {
            int i = row + j * LANES;
            FloatVector.fromArray(S, p, i).mul(vinv).intoArray(p, i);
        }
        copyRow(s, r, preatt, pre);
        copyRow(p, r, att, at);
    }

    /**
     * Row r (TP wide, zero past the diagonal) of x into row r of a T x T output block at off: whole vectors where one
     * may run over into the next row (which is written after this one, so the spill is overwritten) and stays
     * inside the block; the part inside the row through System.arraycopy otherwise (the block's last rows).
     */
    private void copyRow(float[] x, int r, float[] dst, int off) {
        int row = r * TP;
        int at = off + r * T;
        for (int i = 0; i < T; i += LANES) {
            if (r * T + i + LANES <= T * T) {
                FloatVector.fromArray(S, x, row + i).intoArray(dst, at + i);
            } else {
                System.arraycopy(x, row + i, dst, at + i, T - i);
            }
        }
    }

    /**
     * dqkv rows (3C from dqkvO) += the gradients of head h from dout rows (C apart from doutO, hs channels), qkv and
     * att rows (at); datt and dpreatt rows (T x T at da and dp) written.
     */
    void backward(float[] qkv, int qkvO, int C, int h, int hs, int T, float scale, float[] dout, int doutO,
                  float[] att, int at, float[] datt, int da, float[] dpreatt, int dp, float[] dqkv, int dqkvO) {
        shape(T, hs);
        int stride = 3 * C;
        transpose(qkv, qkvO + 2 * C + h * hs, stride);
        products(dout, doutO, C, s); // dp = dout . v^T
        for (int r = 0; r < T; r++) {
            softmaxBackwardRow(r, att, at, datt, da, dpreatt, dp);
        }
        int q = qkvO + h * hs, kk = qkvO + C + h * hs;
        if (inPlace) {
            weightedRows(d, qkv, kk, stride, dqkv, dqkvO + h * hs, stride, scale, false); // dq = ds . k
            transposedRows(d, qkv, q, stride, dqkv, dqkvO + C + h * hs, stride, scale); // dk = ds^T . q
            transposedRows(p, dout, doutO, C, dqkv, dqkvO + 2 * C + h * hs, stride, 1f); // dv = p^T . dout
        } else {
            copyRows(qkv, kk, stride, k, 0);
            copyRows(qkv, q, stride, v, 0);
            weightedRows(d, k, 0, HP, dqkv, dqkvO + h * hs, stride, scale, false);
            transposedRows(d, v, 0, HP, dqkv, dqkvO + C + h * hs, stride, scale);
            copyRows(dout, doutO, C, v, 0);
            transposedRows(p, v, 0, HP, dqkv, dqkvO + 2 * C + h * hs, stride, 1f);
        }
    }

    /**
     * Row r: p = att (0 past the diagonal), ds = p * (dp - sum(p * dp)) with dp in s; datt = dp and dpreatt = ds
     * copied to their output rows (at da and dpre, the head's first rows), 0 past the diagonal. One method, as
     * {@link #softmaxRow}.
     */
    private void softmaxBackwardRow(int r, float[] att, int a, float[] datt, int da, float[] dpreatt, int dpre) {
        int n = r / LANES + 1;
        int row = r * TP;
        System.arraycopy(att, a + r * T, p, row, r + 1);
        Arrays.fill(p, row + r + 1, row + n * LANES, 0f);
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < n; j++) {
            int i = row + j * LANES;
            acc = FloatVector.fromArray(S, p, i).fma(FloatVector.fromArray(S, s, i), acc);
        }
        FloatVector vdot = FloatVector.broadcast(S, VectorMath.sumLanes(acc));
        FloatVector zero = FloatVector.zero(S);
        for (int j = 0; j < n; j++) {
            int i = j * LANES;
            VectorMask<Float> past = IOTA.compare(VectorOperators.GT, r - i);
            FloatVector g = FloatVector.fromArray(S, s, row + i);
            FloatVector.fromArray(S, p, row + i).mul(g.sub(vdot)).blend(zero, past).intoArray(d, row + i);
            g.blend(zero, past).intoArray(s, row + i);
        }
        Arrays.fill(s, row + n * LANES, row + TP, 0f);
        copyRow(s, r, datt, da);
        copyRow(d, r, dpreatt, dpre);
    }
}

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
 * <p>Every product sums over its index in ascending order with one fused multiply-add per term, so a result does
 * not depend on the blocking: entries of p and ds above the diagonal are zeros, which add nothing, and padding rows
 * are never read into a kept result. Row maxima and sums are vector sums in a fixed order (VectorMath), so a result
 * is the same bits on every run and every thread count.
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
    /** TP zeros: the bias row of heads without a bias. */
    private float[] zeros = new float[0];
    /** Per row: the largest score, the sum of the exponentials (forward), the sum of p * dp (backward). */
    private float[] rowMax = new float[0], rowSum = new float[0], rowDot = new float[0];
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
        zeros = zeroed(zeros, TP);
        rowMax = zeroed(rowMax, TR);
        rowSum = zeroed(rowSum, TR);
        rowDot = zeroed(rowDot, TR);
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
        transpose(qkv, qkvO + C + h * hs, stride);
        products(qkv, qkvO + h * hs, stride, s);
        softmaxRows(scale, bias, biasO, preatt, pre, att, at);
        if (inPlace) {
            weightedRows(p, qkv, qkvO + 2 * C + h * hs, stride, out, outO, C, 1f, true);
        } else {
            copyRows(qkv, qkvO + 2 * C + h * hs, stride, v, 0);
            weightedRows(p, v, 0, HP, out, outO, C, 1f, true);
        }
    }

    /**
     * The softmax of every row, in three passes over the rows: scaled scores and their maxima, exponentials and
     * their sums, then the normalized rows, each also stored as its output row. Each row is a chain of dependent
     * steps (max, exp, sum, divide); pass by pass, the rows of a pass are independent, so the processor overlaps
     * them. The passes hand each other floats and arrays, never vectors: a vector handed to a method the JIT did not
     * inline is boxed on the heap.
     */
    private void softmaxRows(float scale, float[] bias, int biasO, float[] preatt, int pre, float[] att, int at) {
        scaledRows(scale, bias, biasO, preatt, pre);
        expRows();
        normalizedRows(att, at);
    }

    /**
     * s rows = s * scale + the bias rows at biasO (zeros without a bias), 0 past the diagonal and in the vectors
     * after it, also stored as the preatt rows; rowMax = each row's largest entry. Only a row's last vector holds
     * lanes past the diagonal (masked).
     */
    private void scaledRows(float scale, float[] bias, int biasO, float[] preatt, int pre) {
        FloatVector vscale = FloatVector.broadcast(S, scale);
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < T; r++) {
            int n = r / LANES + 1;
            int row = r * TP;
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < n; j++) {
                int i = j * LANES;
                float[] b = zeros;
                int bo = i;
                if (bias != null) {
                    bo = biasO + r * T + i;
                    b = bias;
                    if (bo + LANES > bias.length) { // the last rows of the last head: a load that stops at the end
                        Arrays.fill(lanes, 0f);
                        System.arraycopy(bias, bo, lanes, 0, bias.length - bo);
                        b = lanes;
                        bo = 0;
                    }
                }
                VectorMask<Float> past = IOTA.compare(VectorOperators.GT, r - i);
                FloatVector x = FloatVector.fromArray(S, s, row + i).mul(vscale).add(FloatVector.fromArray(S, b, bo));
                FloatVector y = x.blend(zero, past);
                y.intoArray(s, row + i);
                if (fits(r, i)) {
                    y.intoArray(preatt, pre + r * T + i);
                } else {
                    System.arraycopy(s, row + i, preatt, pre + r * T + i, T - i);
                }
                vmax = vmax.max(x.blend(Float.NEGATIVE_INFINITY, past));
            }
            Arrays.fill(s, row + n * LANES, row + TP, 0f);
            zeroPast(r, preatt, pre);
            rowMax[r] = vmax.reduceLanes(VectorOperators.MAX);
        }
    }

    /** p rows = exp(s - rowMax), 0 past the diagonal; rowSum = each row's sum (fixed order). */
    private void expRows() {
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < T; r++) {
            int n = r / LANES + 1;
            int row = r * TP;
            FloatVector vm = FloatVector.broadcast(S, rowMax[r]);
            FloatVector sum = FloatVector.zero(S);
            for (int j = 0; j < n; j++) {
                int i = j * LANES;
                VectorMask<Float> past = IOTA.compare(VectorOperators.GT, r - i);
                FloatVector e = VectorMath.exp(FloatVector.fromArray(S, s, row + i).sub(vm)).blend(zero, past);
                e.intoArray(p, row + i);
                sum = sum.add(e);
            }
            rowSum[r] = VectorMath.sumLanes(sum);
        }
    }

    /** p rows *= 1 / rowSum, also stored as the att rows. */
    private void normalizedRows(float[] att, int at) {
        for (int r = 0; r < T; r++) {
            int row = r * TP;
            FloatVector vinv = FloatVector.broadcast(S, 1f / rowSum[r]);
            for (int i = 0; i <= r; i += LANES) {
                FloatVector y = FloatVector.fromArray(S, p, row + i).mul(vinv);
                y.intoArray(p, row + i);
                if (fits(r, i)) {
                    y.intoArray(att, at + r * T + i);
                } else {
                    System.arraycopy(p, row + i, att, at + r * T + i, T - i);
                }
            }
            zeroPast(r, att, at);
        }
    }

    /**
     * Whether the vector at column i of row r of a T x T output block may be stored whole: it may run over into the
     * next row (written after this one, so the spill is overwritten) but must stay inside the block; the block's
     * last rows store their last vector's part inside the row instead.
     */
    private boolean fits(int r, int i) {
        return r * T + i + LANES <= T * T;
    }

    /** Row r of a T x T output block at off: 0 from the vector after the diagonal's to the end of the row. */
    private void zeroPast(int r, float[] dst, int off) {
        FloatVector zero = FloatVector.zero(S);
        for (int i = (r / LANES + 1) * LANES; i < T; i += LANES) {
            if (fits(r, i)) {
                zero.intoArray(dst, off + r * T + i);
            } else {
                Arrays.fill(dst, off + r * T + i, off + (r + 1) * T, 0f);
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
        softmaxBackwardRows(att, at, datt, da, dpreatt, dp);
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
     * The softmax's backward pass over every row, in two passes as {@link #softmaxRows}: p = att and rowDot = the
     * sum of p * dp (dp in s); then ds = p * (dp - rowDot) into d, and datt = dp and dpreatt = ds copied to their
     * output rows (at da and dpre, the head's first rows), 0 past the diagonal.
     */
    private void softmaxBackwardRows(float[] att, int a, float[] datt, int da, float[] dpreatt, int dpre) {
        dotRows(att, a);
        dsRows(datt, da, dpreatt, dpre);
    }

    /** p rows = att rows (0 past the diagonal); rowDot = the sum of p * dp per row (fixed order). */
    private void dotRows(float[] att, int a) {
        for (int r = 0; r < T; r++) {
            int n = r / LANES + 1;
            int row = r * TP;
            System.arraycopy(att, a + r * T, p, row, r + 1);
            Arrays.fill(p, row + r + 1, row + n * LANES, 0f);
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < n; j++) {
                int i = row + j * LANES;
                acc = FloatVector.fromArray(S, p, i).fma(FloatVector.fromArray(S, s, i), acc);
            }
            rowDot[r] = VectorMath.sumLanes(acc);
        }
    }

    /** d rows = p * (dp - rowDot), 0 past the diagonal; d rows and dp (masked) stored as dpreatt and datt rows. */
    private void dsRows(float[] datt, int da, float[] dpreatt, int dpre) {
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < T; r++) {
            int n = r / LANES + 1;
            int row = r * TP;
            FloatVector vdot = FloatVector.broadcast(S, rowDot[r]);
            for (int j = 0; j < n; j++) {
                int i = j * LANES;
                VectorMask<Float> past = IOTA.compare(VectorOperators.GT, r - i);
                FloatVector g = FloatVector.fromArray(S, s, row + i).blend(zero, past);
                FloatVector x = FloatVector.fromArray(S, p, row + i).mul(g.sub(vdot)).blend(zero, past);
                x.intoArray(d, row + i);
                if (fits(r, i)) {
                    g.intoArray(datt, da + r * T + i);
                    x.intoArray(dpreatt, dpre + r * T + i);
                } else {
                    g.intoArray(s, row + i);
                    System.arraycopy(s, row + i, datt, da + r * T + i, T - i);
                    System.arraycopy(d, row + i, dpreatt, dpre + r * T + i, T - i);
                }
            }
            zeroPast(r, datt, da);
            zeroPast(r, dpreatt, dpre);
        }
    }
}

package dev.lengthgen.engine.cpu;

import java.util.Arrays;

import static dev.lengthgen.engine.cpu.GemmKernels.MR;
import static dev.lengthgen.engine.cpu.GemmKernels.NR;
import static dev.lengthgen.engine.cpu.VectorMath.LANES;

/**
 * One worker's buffers for one (batch, head) attention task, laid out for the GEMM micro-kernels, and the three
 * kinds of small products attention is made of. T positions, hs channels per head. Padded sizes: TR rows (T rounded
 * up to the kernel's MR), TC (TR rounded up to a vector: the row stride of T-wide buffers), TN (T rounded up to the
 * kernel's NR: score columns), HN (hs rounded up to NR). Padding is always zero, so padded rows and columns add
 * nothing to a product. Buffers grow on the first call at a larger shape and are reused after that.
 *
 * <pre>
 * scores   s (TR x TN)  = a (TR x hs, row-major) . bT           bT: a (T x hs) matrix packed transposed
 * rows     o (TR x HN)  = A (TR x TC) . b, causal: row t only needs b rows &lt;= t
 * cols     o (TR x HN)  = A^T . b, causal: row t2 only needs A rows &gt;= t2
 * </pre>
 *
 * <p>Used for heads and sequences too large for {@link RowBlockAttention} (see {@code Attention.rowBlocks}).
 */
final class HeadWorkspace {
    int T, hs, TR, TC, TN, HN;
    /** Row-major copy of Q (forward) or dout (backward): TR x hs. */
    float[] a = new float[0];
    /** Attention probabilities: TR x TC, zero above the diagonal. */
    float[] p = new float[0];
    /** dpreatt (backward): TR x TC, zero above the diagonal. */
    float[] d = new float[0];
    /** K^T or V^T as B slivers: [TN / NR][hs][NR]. */
    float[] bT = new float[0];
    /** An hs-wide operand (V, K, Q or dout) as B slivers: [HN / NR][TR][NR]. */
    float[] b = new float[0];
    /** Scores or datt: TR x TN. */
    float[] s = new float[0];
    /** An hs-wide product: TR x HN. */
    float[] o = new float[0];
    /** Lanes for fixed-order horizontal sums. */
    final float[] lanes = new float[LANES];

    void shape(int T, int hs) {
        this.T = T;
        this.hs = hs;
        TR = (T + MR - 1) / MR * MR;
        TC = (TR + LANES - 1) / LANES * LANES;
        TN = (T + NR - 1) / NR * NR;
        HN = (hs + NR - 1) / NR * NR;
        a = atLeast(a, TR * hs);
        p = atLeast(p, TR * TC);
        d = atLeast(d, TR * TC);
        bT = atLeast(bT, TN * hs);
        b = atLeast(b, HN * TR);
        s = atLeast(s, TR * TN);
        o = atLeast(o, TR * HN);
    }

    private static float[] atLeast(float[] x, int n) {
        return x.length >= n ? x : new float[n];
    }

    /** a (TR x hs) = rows t &lt; T of src at srcO + t*stride, zero rows after. */
    void packRows(float[] src, int srcO, int stride) {
        for (int t = 0; t < T; t++) {
            System.arraycopy(src, srcO + t * stride, a, t * hs, hs);
        }
        Arrays.fill(a, T * hs, TR * hs, 0f);
    }

    /** bT slivers: bT[sl][dd][j] = src[srcO + (sl*NR + j)*stride + dd] for positions &lt; T, else 0. */
    void packTransposed(float[] src, int srcO, int stride) {
        Arrays.fill(bT, 0, TN * hs, 0f);
        for (int t2 = 0; t2 < T; t2++) {
            int sl = t2 / NR, j = t2 % NR;
            int base = sl * hs * NR + j;
            int from = srcO + t2 * stride;
            for (int dd = 0; dd < hs; dd++) {
                bT[base + dd * NR] = src[from + dd];
            }
        }
    }

    /** b slivers: b[sl][t][j] = src[srcO + t*stride + sl*NR + j] for t &lt; T and channel &lt; hs, else 0. */
    void packSlivers(float[] src, int srcO, int stride) {
        int slivers = HN / NR;
        for (int sl = 0; sl < slivers; sl++) {
            int width = Math.min(NR, hs - sl * NR);
            int base = sl * TR * NR;
            for (int t = 0; t < T; t++) {
                System.arraycopy(src, srcO + t * stride + sl * NR, b, base + t * NR, width);
                if (width < NR) {
                    Arrays.fill(b, base + t * NR + width, base + (t + 1) * NR, 0f);
                }
            }
            Arrays.fill(b, base + T * NR, base + TR * NR, 0f);
        }
    }

    /** s = a . bT over the causal part: row tile [t0, t0+MR) needs key slivers up to position t0 + MR - 1. */
    void scores() {
        Arrays.fill(s, 0, TR * TN, 0f);
        for (int t0 = 0; t0 < TR; t0 += MR) {
            int lastKey = Math.min(T - 1, t0 + MR - 1);
            for (int sl = 0; sl * NR <= lastKey; sl++) {
                GemmKernels.rows(hs, a, t0 * hs, hs, bT, sl * hs * NR, s, t0 * TN + sl * NR, TN);
            }
        }
    }

    /** o = A . b for A (TR x TC) zero above the diagonal: row tile [t0, t0+MR) sums over b rows &lt; t0 + MR. */
    void rowsTimesB(float[] A) {
        Arrays.fill(o, 0, TR * HN, 0f);
        int slivers = HN / NR;
        for (int t0 = 0; t0 < TR; t0 += MR) {
            int kc = Math.min(T, t0 + MR);
            for (int sl = 0; sl < slivers; sl++) {
                GemmKernels.rows(kc, A, t0 * TC, TC, b, sl * TR * NR, o, t0 * HN + sl * NR, HN);
            }
        }
    }

    /** o = A^T . b for A (TR x TC) zero above the diagonal: row tile [r0, r0+MR) of A^T sums over A rows &gt;= r0. */
    void transposedTimesB(float[] A) {
        Arrays.fill(o, 0, TR * HN, 0f);
        int slivers = HN / NR;
        for (int r0 = 0; r0 < TR; r0 += MR) {
            for (int sl = 0; sl < slivers; sl++) {
                GemmKernels.cols(T - r0, A, r0 * TC + r0, TC, b, sl * TR * NR + r0 * NR, o, r0 * HN + sl * NR, HN);
            }
        }
    }
}

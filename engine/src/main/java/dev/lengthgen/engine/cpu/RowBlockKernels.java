package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * The products of one attention head ({@link RowBlockAttention}) as register-blocked kernels: a block of 8 rows x one
 * vector of columns kept in 8 accumulators while k runs, each step one vector load of B and 8 broadcasts of A. Eight
 * independent FMA chains hide the FMA latency that a single dot product per row would expose. B is read in place at
 * any row stride, so neither operand needs packing into tiles.
 *
 * <p>The plain loop each kernel computes (i &lt; 8, j &lt; LANES):
 * <pre>
 * float acc = 0; for (k = 0; k &lt; kc; k++) acc = fma(A(i, k), b[bo + k*ldb + j], acc);
 * rows: A(i, k) = a[ao + i*lda + k]     cols: A(i, k) = a[ao + k*lda + i]
 * c[co + i*ldc + j] = acc                 (rowsAdd, colsAdd: c[co + i*ldc + j] = fma(acc, alpha, c[co + i*ldc + j]))
 * </pre>
 * Written out rather than looped over i: the accumulators must stay in registers, and a vector passed to a call
 * that is not inlined is boxed on the heap.
 */
final class RowBlockKernels {
    /** Rows of a block. */
    static final int R = 8;

    private RowBlockKernels() {
    }

    /** A row-major; c rows written. */
    static void rows(int kc, float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int a0 = ao, a1 = ao + lda, a2 = ao + 2 * lda, a3 = ao + 3 * lda;
        int a4 = ao + 4 * lda, a5 = ao + 5 * lda, a6 = ao + 6 * lda, a7 = ao + 7 * lda;
        for (int k = 0; k < kc; k++) {
            FloatVector bv = FloatVector.fromArray(S, b, bo + k * ldb);
            c0 = FloatVector.broadcast(S, a[a0 + k]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[a1 + k]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[a2 + k]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[a3 + k]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, a[a4 + k]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, a[a5 + k]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, a[a6 + k]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, a[a7 + k]).fma(bv, c7);
        }
        c0.intoArray(c, co);
        c1.intoArray(c, co + ldc);
        c2.intoArray(c, co + 2 * ldc);
        c3.intoArray(c, co + 3 * ldc);
        c4.intoArray(c, co + 4 * ldc);
        c5.intoArray(c, co + 5 * ldc);
        c6.intoArray(c, co + 6 * ldc);
        c7.intoArray(c, co + 7 * ldc);
    }

    /** A stored transposed (8 adjacent values per k); c rows written. */
    static void cols(int kc, float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int k = 0; k < kc; k++) {
            FloatVector bv = FloatVector.fromArray(S, b, bo + k * ldb);
            int p = ao + k * lda;
            c0 = FloatVector.broadcast(S, a[p]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[p + 1]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[p + 2]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[p + 3]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, a[p + 4]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, a[p + 5]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, a[p + 6]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, a[p + 7]).fma(bv, c7);
        }
        c0.intoArray(c, co);
        c1.intoArray(c, co + ldc);
        c2.intoArray(c, co + 2 * ldc);
        c3.intoArray(c, co + 3 * ldc);
        c4.intoArray(c, co + 4 * ldc);
        c5.intoArray(c, co + 5 * ldc);
        c6.intoArray(c, co + 6 * ldc);
        c7.intoArray(c, co + 7 * ldc);
    }

    /** As {@link #rows}, then c = fma(acc, alpha, c). */
    static void rowsAdd(int kc, float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co, int ldc,
                        float alpha) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int a0 = ao, a1 = ao + lda, a2 = ao + 2 * lda, a3 = ao + 3 * lda;
        int a4 = ao + 4 * lda, a5 = ao + 5 * lda, a6 = ao + 6 * lda, a7 = ao + 7 * lda;
        for (int k = 0; k < kc; k++) {
            FloatVector bv = FloatVector.fromArray(S, b, bo + k * ldb);
            c0 = FloatVector.broadcast(S, a[a0 + k]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[a1 + k]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[a2 + k]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[a3 + k]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, a[a4 + k]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, a[a5 + k]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, a[a6 + k]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, a[a7 + k]).fma(bv, c7);
        }
        FloatVector va = FloatVector.broadcast(S, alpha);
        c0.fma(va, FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c1.fma(va, FloatVector.fromArray(S, c, co + ldc)).intoArray(c, co + ldc);
        c2.fma(va, FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
        c3.fma(va, FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
        c4.fma(va, FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
        c5.fma(va, FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
        c6.fma(va, FloatVector.fromArray(S, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
        c7.fma(va, FloatVector.fromArray(S, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
    }

    /** As {@link #cols}, then c = fma(acc, alpha, c). */
    static void colsAdd(int kc, float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co, int ldc,
                        float alpha) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int k = 0; k < kc; k++) {
            FloatVector bv = FloatVector.fromArray(S, b, bo + k * ldb);
            int p = ao + k * lda;
            c0 = FloatVector.broadcast(S, a[p]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[p + 1]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[p + 2]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[p + 3]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, a[p + 4]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, a[p + 5]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, a[p + 6]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, a[p + 7]).fma(bv, c7);
        }
        FloatVector va = FloatVector.broadcast(S, alpha);
        c0.fma(va, FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c1.fma(va, FloatVector.fromArray(S, c, co + ldc)).intoArray(c, co + ldc);
        c2.fma(va, FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
        c3.fma(va, FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
        c4.fma(va, FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
        c5.fma(va, FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
        c6.fma(va, FloatVector.fromArray(S, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
        c7.fma(va, FloatVector.fromArray(S, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
    }
}

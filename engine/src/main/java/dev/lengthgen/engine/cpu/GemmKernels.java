package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked GEMM micro-kernels: a tile of MR = 6 rows x NR columns of C kept in registers while k runs over
 * A (6 values per k, each broadcast) and a packed B sliver (NR values per k, contiguous: one vector load each).
 * With 512-bit vectors (32 registers) NR is 4 vectors: 24 accumulators, 4 loads and 6 broadcasts per 24 FMAs. With
 * narrower vectors (AVX2 has 16 registers) NR is 2 vectors: 12 accumulators.
 *
 * <p>A is read where it lies, in either of the two layouts the linear layer produces, so it never needs packing:
 * "rows" for a row-major A (6 row streams, e.g. the activations in forward and dinp) and "cols" for an A stored
 * transposed (6 adjacent values per k, e.g. dout^T in dweight). Measured here, a 6 x 64 kernel on unpacked A is as
 * fast as a 12 x 32 kernel on packed A, and the packing (a transpose of every A block) is saved.
 *
 * <p>The plain loop each kernel computes:
 * <pre>
 * for (i = 0; i &lt; MR; i++) for (j = 0; j &lt; NR; j++) {
 *     float acc = 0; for (k = 0; k &lt; kc; k++) acc = fma(A(i, k), bp[bo + k*NR + j], acc);
 *     c[co + i*ldc + j] = store ? acc : c[co + i*ldc + j] + acc;
 * }
 * </pre>
 * Storing (the first K slab of a product that overwrites C) reads no C: no zeroing pass over C before, and no
 * wait for C's cache lines after the loop.
 * The bodies below are that loop unrolled over i and over the vectors of j. They are written out rather than
 * built from helpers: each kernel is at the JIT's inlining limit, and a vector passed to a call that is not inlined
 * gets boxed on the heap.
 */
final class GemmKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LANES = S.length();
    /** Rows of a tile. */
    static final int MR = 6;
    /** Vectors per tile row: as many as the vector registers allow. */
    static final int NV = LANES >= 16 ? 4 : 2;
    /** Columns of a tile. */
    static final int NR = NV * LANES;

    private GemmKernels() {
    }

    /** A row-major (element (i, k) at a[ao + i*lda + k]); C += A . B. */
    static void rows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc) {
        rows(kc, a, ao, lda, bp, bo, c, co, ldc, false);
    }

    /** A stored transposed (element (i, k) at a[ao + k*lda + i]); C += A . B. */
    static void cols(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc) {
        cols(kc, a, ao, lda, bp, bo, c, co, ldc, false);
    }

    /** A row-major; C = A . B when store, else C += A . B. */
    static void rows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc,
                     boolean store) {
        if (NV == 4) {
            rows6x4(kc, a, ao, lda, bp, bo, c, co, ldc, store);
        } else {
            rows6x2(kc, a, ao, lda, bp, bo, c, co, ldc, store);
        }
    }

    /** A stored transposed; C = A . B when store, else C += A . B. */
    static void cols(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc,
                     boolean store) {
        if (NV == 4) {
            cols6x4(kc, a, ao, lda, bp, bo, c, co, ldc, store);
        } else {
            cols6x2(kc, a, ao, lda, bp, bo, c, co, ldc, store);
        }
    }

    /**
     * C[6 x 4 vectors] (ldc) += A[6 x kc] . B sliver [kc][4 vectors]; A row-major: element (i, k) at a[ao + i*lda + k].
     */
    static void rows6x4(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc,
                        boolean store) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        int r0 = ao + 0 * lda; int r1 = ao + 1 * lda; int r2 = ao + 2 * lda;
        int r3 = ao + 3 * lda; int r4 = ao + 4 * lda; int r5 = ao + 5 * lda;
        for (int k = 0; k < kc; k++) {
            int b = bo + k * 4 * LANES;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + LANES);
            FloatVector b2 = FloatVector.fromArray(S, bp, b + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(S, bp, b + 3 * LANES);
            FloatVector x;
            x = FloatVector.broadcast(S, a[r0 + k]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[r1 + k]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[r2 + k]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[r3 + k]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[r4 + k]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[r5 + k]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        int r = co;
        if (store) {
            c00.intoArray(c, r);
            c01.intoArray(c, r + LANES);
            c02.intoArray(c, r + 2 * LANES);
            c03.intoArray(c, r + 3 * LANES);
            r += ldc;
            c10.intoArray(c, r);
            c11.intoArray(c, r + LANES);
            c12.intoArray(c, r + 2 * LANES);
            c13.intoArray(c, r + 3 * LANES);
            r += ldc;
            c20.intoArray(c, r);
            c21.intoArray(c, r + LANES);
            c22.intoArray(c, r + 2 * LANES);
            c23.intoArray(c, r + 3 * LANES);
            r += ldc;
            c30.intoArray(c, r);
            c31.intoArray(c, r + LANES);
            c32.intoArray(c, r + 2 * LANES);
            c33.intoArray(c, r + 3 * LANES);
            r += ldc;
            c40.intoArray(c, r);
            c41.intoArray(c, r + LANES);
            c42.intoArray(c, r + 2 * LANES);
            c43.intoArray(c, r + 3 * LANES);
            r += ldc;
            c50.intoArray(c, r);
            c51.intoArray(c, r + LANES);
            c52.intoArray(c, r + 2 * LANES);
            c53.intoArray(c, r + 3 * LANES);
        } else {
            FloatVector.fromArray(S, c, r).add(c00).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c01).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c02).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c03).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c10).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c11).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c12).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c13).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c20).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c21).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c22).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c23).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c30).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c31).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c32).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c33).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c40).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c41).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c42).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c43).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c50).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c51).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c52).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c53).intoArray(c, r + 3 * LANES);
        }
    }

    /**
     * C[6 x 4 vectors] (ldc) += A[6 x kc] . B sliver [kc][4 vectors]; A stored transposed: element (i, k) at
     * a[ao + k*lda + i].
     */
    static void cols6x4(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc,
                        boolean store) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        for (int k = 0; k < kc; k++) {
            int b = bo + k * 4 * LANES;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + LANES);
            FloatVector b2 = FloatVector.fromArray(S, bp, b + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(S, bp, b + 3 * LANES);
            int p = ao + k * lda;
            FloatVector x;
            x = FloatVector.broadcast(S, a[p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[p + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[p + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[p + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[p + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[p + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        int r = co;
        if (store) {
            c00.intoArray(c, r);
            c01.intoArray(c, r + LANES);
            c02.intoArray(c, r + 2 * LANES);
            c03.intoArray(c, r + 3 * LANES);
            r += ldc;
            c10.intoArray(c, r);
            c11.intoArray(c, r + LANES);
            c12.intoArray(c, r + 2 * LANES);
            c13.intoArray(c, r + 3 * LANES);
            r += ldc;
            c20.intoArray(c, r);
            c21.intoArray(c, r + LANES);
            c22.intoArray(c, r + 2 * LANES);
            c23.intoArray(c, r + 3 * LANES);
            r += ldc;
            c30.intoArray(c, r);
            c31.intoArray(c, r + LANES);
            c32.intoArray(c, r + 2 * LANES);
            c33.intoArray(c, r + 3 * LANES);
            r += ldc;
            c40.intoArray(c, r);
            c41.intoArray(c, r + LANES);
            c42.intoArray(c, r + 2 * LANES);
            c43.intoArray(c, r + 3 * LANES);
            r += ldc;
            c50.intoArray(c, r);
            c51.intoArray(c, r + LANES);
            c52.intoArray(c, r + 2 * LANES);
            c53.intoArray(c, r + 3 * LANES);
        } else {
            FloatVector.fromArray(S, c, r).add(c00).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c01).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c02).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c03).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c10).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c11).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c12).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c13).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c20).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c21).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c22).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c23).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c30).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c31).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c32).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c33).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c40).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c41).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c42).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c43).intoArray(c, r + 3 * LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c50).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c51).intoArray(c, r + LANES);
            FloatVector.fromArray(S, c, r + 2 * LANES).add(c52).intoArray(c, r + 2 * LANES);
            FloatVector.fromArray(S, c, r + 3 * LANES).add(c53).intoArray(c, r + 3 * LANES);
        }
    }

    /**
     * C[6 x 2 vectors] (ldc) += A[6 x kc] . B sliver [kc][2 vectors]; A row-major: element (i, k) at a[ao + i*lda + k].
     */
    static void rows6x2(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc,
                        boolean store) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        int r0 = ao + 0 * lda; int r1 = ao + 1 * lda; int r2 = ao + 2 * lda;
        int r3 = ao + 3 * lda; int r4 = ao + 4 * lda; int r5 = ao + 5 * lda;
        for (int k = 0; k < kc; k++) {
            int b = bo + k * 2 * LANES;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + LANES);
            FloatVector x;
            x = FloatVector.broadcast(S, a[r0 + k]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + k]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + k]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + k]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[r4 + k]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[r5 + k]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        int r = co;
        if (store) {
            c00.intoArray(c, r);
            c01.intoArray(c, r + LANES);
            r += ldc;
            c10.intoArray(c, r);
            c11.intoArray(c, r + LANES);
            r += ldc;
            c20.intoArray(c, r);
            c21.intoArray(c, r + LANES);
            r += ldc;
            c30.intoArray(c, r);
            c31.intoArray(c, r + LANES);
            r += ldc;
            c40.intoArray(c, r);
            c41.intoArray(c, r + LANES);
            r += ldc;
            c50.intoArray(c, r);
            c51.intoArray(c, r + LANES);
        } else {
            FloatVector.fromArray(S, c, r).add(c00).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c01).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c10).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c11).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c20).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c21).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c30).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c31).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c40).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c41).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c50).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c51).intoArray(c, r + LANES);
        }
    }

    /**
     * C[6 x 2 vectors] (ldc) += A[6 x kc] . B sliver [kc][2 vectors]; A stored transposed: element (i, k) at
     * a[ao + k*lda + i].
     */
    static void cols6x2(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc,
                        boolean store) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        for (int k = 0; k < kc; k++) {
            int b = bo + k * 2 * LANES;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + LANES);
            int p = ao + k * lda;
            FloatVector x;
            x = FloatVector.broadcast(S, a[p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[p + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[p + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[p + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[p + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[p + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        int r = co;
        if (store) {
            c00.intoArray(c, r);
            c01.intoArray(c, r + LANES);
            r += ldc;
            c10.intoArray(c, r);
            c11.intoArray(c, r + LANES);
            r += ldc;
            c20.intoArray(c, r);
            c21.intoArray(c, r + LANES);
            r += ldc;
            c30.intoArray(c, r);
            c31.intoArray(c, r + LANES);
            r += ldc;
            c40.intoArray(c, r);
            c41.intoArray(c, r + LANES);
            r += ldc;
            c50.intoArray(c, r);
            c51.intoArray(c, r + LANES);
        } else {
            FloatVector.fromArray(S, c, r).add(c00).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c01).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c10).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c11).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c20).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c21).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c30).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c31).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c40).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c41).intoArray(c, r + LANES);
            r += ldc;
            FloatVector.fromArray(S, c, r).add(c50).intoArray(c, r);
            FloatVector.fromArray(S, c, r + LANES).add(c51).intoArray(c, r + LANES);
        }
    }
}

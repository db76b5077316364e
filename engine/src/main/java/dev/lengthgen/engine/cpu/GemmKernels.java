package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked GEMM micro-kernels: a tile of MR rows x NR = 2 vectors of C kept in registers while k runs over a
 * packed A sliver (MR values per k, broadcast) and a packed B sliver (NR values per k, two vector loads). Per k:
 * 2 loads, MR broadcasts, 2 MR fused multiply-adds. With 512-bit vectors (32 registers) MR = 12 uses 24
 * accumulators; with 256-bit vectors (AVX2: 16 registers) MR = 6 uses 12.
 *
 * <p>The plain loop each kernel computes:
 * <pre>
 * for (i = 0; i &lt; MR; i++) for (j = 0; j &lt; NR; j++) {
 *     float acc = 0; for (k = 0; k &lt; kc; k++) acc = fma(ap[ao + k*MR + i], bp[bo + k*NR + j], acc);
 *     c[co + i*ldc + j] += acc;
 * }
 * </pre>
 * The bodies below are that loop unrolled over i (one pair of accumulators per row) and vectorized over j.
 */
final class GemmKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LANES = S.length();
    /** Columns of a tile: two vectors. */
    static final int NR = 2 * LANES;
    /** Rows of a tile: as many as the vector registers allow. */
    static final int MR = LANES >= 16 ? 12 : 6;

    private GemmKernels() {
    }

    /** Dispatches to the kernel for {@link #MR}. */
    static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        if (MR == 12) {
            kernel12(kc, ap, ao, bp, bo, c, co, ldc);
        } else {
            kernel6(kc, ap, ao, bp, bo, c, co, ldc);
        }
    }

    /** C[12 x NR] (ldc) += A sliver [kc][12] . B sliver [kc][NR], both packed. */
    static void kernel12(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, c100 = z, c101 = z, c110 = z, c111 = z;
        for (int k = 0; k < kc; k++) {
            int b = bo + k * NR;
            int a = ao + k * 12;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + LANES);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a + 0]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, ap[a + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, ap[a + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(S, ap[a + 10]);
            c100 = x.fma(b0, c100);
            c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(S, ap[a + 11]);
            c110 = x.fma(b0, c110);
            c111 = x.fma(b1, c111);
        }
        // written out rather than through a helper: the kernel is at the JIT's inlining limit, and a vector
        // passed to a call that is not inlined gets boxed on the heap
        int r = co;
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
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c60).intoArray(c, r);
        FloatVector.fromArray(S, c, r + LANES).add(c61).intoArray(c, r + LANES);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c70).intoArray(c, r);
        FloatVector.fromArray(S, c, r + LANES).add(c71).intoArray(c, r + LANES);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c80).intoArray(c, r);
        FloatVector.fromArray(S, c, r + LANES).add(c81).intoArray(c, r + LANES);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c90).intoArray(c, r);
        FloatVector.fromArray(S, c, r + LANES).add(c91).intoArray(c, r + LANES);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c100).intoArray(c, r);
        FloatVector.fromArray(S, c, r + LANES).add(c101).intoArray(c, r + LANES);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c110).intoArray(c, r);
        FloatVector.fromArray(S, c, r + LANES).add(c111).intoArray(c, r + LANES);
    }

    /** C[6 x NR] (ldc) += A sliver [kc][6] . B sliver [kc][NR], both packed. */
    static void kernel6(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z;
        for (int k = 0; k < kc; k++) {
            int b = bo + k * NR;
            int a = ao + k * 6;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + LANES);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a + 0]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // written out rather than through a helper: the kernel is at the JIT's inlining limit, and a vector
        // passed to a call that is not inlined gets boxed on the heap
        int r = co;
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

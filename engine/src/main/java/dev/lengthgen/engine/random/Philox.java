package dev.lengthgen.engine.random;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based generator,
 * so any element's random bits are a pure function of (key, counter) and every backend (Java loop, OpenCL work-item,
 * vector lane) draws identical numbers with no shared state. The OpenCL kernels carry the same function.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {
    }

    /** The first 32-bit word of Philox4x32-10 at counter (c0, c1, c2, c3) under key (k0, k1). */
    public static int first(int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0;
            int n1 = lo1;
            int n2 = hi0 ^ c3 ^ k1;
            int n3 = lo0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        return c0;
    }

    /** A uniform float in [0, 1) with 24 random bits, as the kernels compute it. */
    public static float uniform(int bits) {
        return (bits >>> 8) * 0x1.0p-24f;
    }
}

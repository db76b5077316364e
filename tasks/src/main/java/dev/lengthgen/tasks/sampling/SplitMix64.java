package dev.lengthgen.tasks.sampling;

import java.math.BigInteger;

/**
 * The SplitMix64 generator, written out here rather than taken from the JDK so that a seed gives the same numbers on
 * every machine and every JDK version, forever. Streams for different purposes come from {@link #derive}, which
 * hashes a seed with purpose tags, so no stream depends on how many numbers another one consumed.
 */
public final class SplitMix64 {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for the stream named by (seed, parts...): the same arguments always give the same stream. */
    public static SplitMix64 derive(long seed, long... parts) {
        return new SplitMix64(deriveSeed(seed, parts));
    }

    /** The seed {@link #derive} uses. */
    public static long deriveSeed(long seed, long... parts) {
        long h = mix(seed + GOLDEN);
        for (long p : parts) {
            h = mix(h ^ mix(p * GOLDEN + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, bound), bound > 0, without modulo bias (rejection). */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
        while (true) {
            long u = nextLong() >>> 1;
            if (u < limit) {
                return u % bound;
            }
        }
    }

    /** Uniform in [0, bound), bound > 0, by rejection on bound's bit length. */
    public BigInteger nextBigInteger(BigInteger bound) {
        if (bound.signum() <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        if (bound.bitLength() <= 62) {
            return BigInteger.valueOf(nextLong(bound.longValue()));
        }
        int bits = bound.bitLength();
        int words = (bits + 63) / 64;
        byte[] bytes = new byte[words * 8 + 1];
        while (true) {
            for (int w = 0; w < words; w++) {
                long v = nextLong();
                for (int k = 0; k < 8; k++) {
                    bytes[1 + w * 8 + k] = (byte) (v >>> (8 * k));
                }
            }
            BigInteger x = new BigInteger(bytes);
            int excess = words * 64 - bits;
            x = x.shiftRight(excess);
            if (x.compareTo(bound) < 0) {
                return x;
            }
        }
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}

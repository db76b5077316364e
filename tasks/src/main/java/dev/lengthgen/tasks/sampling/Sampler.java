package dev.lengthgen.tasks.sampling;

import dev.lengthgen.tasks.Radix;

import java.math.BigInteger;
import java.util.Locale;

/**
 * The paper's two generators of an n-digit domain, each uniform over the pairs of its domain. Both treat 0 as a
 * 1-digit number (see {@link Radix}).
 * <ul>
 *   <li>{@link #A}: D_n, at least one operand has exactly n digits and the other is anywhere in [0, B^n).
 *       |D_n| = B^(2n) - B^(2n-2) for n >= 2 (18*10^(2n-1) - 81*10^(2n-2) in base 10) and B^2 for n = 1.</li>
 *   <li>{@link #B}: D~_n, both operands have exactly n digits. |D~_n| = ((B-1) B^(n-1))^2, B^2 for n = 1.</li>
 * </ul>
 */
public enum Sampler {
    A, B;

    /** "a" or "b" (what the command line writes). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The domain's name as the paper writes it: "D_4" or "D~_4". */
    public String domain(int n) {
        return (this == A ? "D_" : "D~_") + n;
    }

    public static Sampler parse(String s) {
        String t = s == null ? "" : s.trim().toUpperCase(Locale.ROOT);
        if (t.equals("A") || t.equals("D")) {
            return A;
        }
        if (t.equals("B") || t.equals("D~")) {
            return B;
        }
        throw new IllegalArgumentException("unknown sampler '" + s + "': use a (D_n, at least one operand with n"
                + " digits) or b (D~_n, both operands with n digits)");
    }

    /** How many pairs the domain of n-digit problems holds in the base. */
    public BigInteger pairCount(int base, int n) {
        if (this == B) {
            BigInteger c = Radix.countWithDigits(base, n);
            return c.multiply(c);
        }
        if (n == 1) {
            return BigInteger.valueOf((long) base * base);
        }
        return Radix.pow(base, 2 * n).subtract(Radix.pow(base, 2 * n - 2));
    }

    /** True when (a, b) lies in the domain of n-digit problems. */
    public boolean contains(int base, int n, BigInteger a, BigInteger b) {
        int da = Radix.digitCount(a, base);
        int db = Radix.digitCount(b, base);
        return this == B ? da == n && db == n : Math.max(da, db) == n;
    }

    /** {@link #contains} for longs (values below B^n fitting a long). */
    public boolean contains(int base, int n, long a, long b) {
        long lo = n == 1 ? 0 : pow(base, n - 1);
        long hi = pow(base, n);
        if (a < 0 || b < 0 || a >= hi || b >= hi) {
            return false;
        }
        return this == B ? a >= lo && b >= lo : a >= lo || b >= lo;
    }

    static long pow(int base, int n) {
        long x = 1;
        for (int i = 0; i < n; i++) {
            x *= base;
        }
        return x;
    }

    /** Draws one pair uniformly from the domain into out[0], out[1]; needs {@link Radix#fitsLong}(base, n). */
    public void drawLong(SplitMix64 rng, int base, int n, long[] out) {
        long hi = pow(base, n);
        long lo = n == 1 ? 0 : pow(base, n - 1);
        if (this == B) {
            out[0] = lo + rng.nextLong(hi - lo);
            out[1] = lo + rng.nextLong(hi - lo);
            return;
        }
        // Uniform over [0, B^n)^2 minus [0, B^(n-1))^2: reject the (1/B^2 likely) pairs that are both short.
        do {
            out[0] = rng.nextLong(hi);
            out[1] = rng.nextLong(hi);
        } while (n > 1 && out[0] < lo && out[1] < lo);
    }

    /** Draws one pair uniformly from the domain, for any n: {a, b}. */
    public BigInteger[] drawBig(SplitMix64 rng, int base, int n) {
        BigInteger hi = Radix.pow(base, n);
        BigInteger lo = Radix.smallest(base, n);
        if (this == B) {
            BigInteger span = hi.subtract(lo);
            return new BigInteger[]{lo.add(rng.nextBigInteger(span)), lo.add(rng.nextBigInteger(span))};
        }
        while (true) {
            BigInteger a = rng.nextBigInteger(hi);
            BigInteger b = rng.nextBigInteger(hi);
            if (n == 1 || a.compareTo(lo) >= 0 || b.compareTo(lo) >= 0) {
                return new BigInteger[]{a, b};
            }
        }
    }

    /**
     * Every pair of the domain in a fixed order, as two arrays; only for domains of at most {@code maxPairs} pairs.
     */
    long[][] enumerate(int base, int n, int maxPairs) {
        BigInteger count = pairCount(base, n);
        if (count.compareTo(BigInteger.valueOf(maxPairs)) > 0) {
            throw new IllegalArgumentException("the domain " + domain(n) + " has " + count
                    + " pairs, too many to enumerate (at most " + maxPairs + ")");
        }
        int size = count.intValueExact();
        long[] as = new long[size];
        long[] bs = new long[size];
        long hi = pow(base, n);
        long lo = n == 1 ? 0 : pow(base, n - 1);
        long start = this == B ? lo : 0;
        int k = 0;
        for (long a = start; a < hi; a++) {
            for (long b = start; b < hi; b++) {
                if (this == A && n > 1 && a < lo && b < lo) {
                    continue;
                }
                as[k] = a;
                bs[k] = b;
                k++;
            }
        }
        return new long[][]{as, bs};
    }
}

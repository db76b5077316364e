package dev.lengthgen.tasks;

import java.math.BigInteger;

/** One problem: the two operands a and b (non-negative). */
public record Problem(BigInteger a, BigInteger b) {
    public Problem {
        if (a == null || b == null || a.signum() < 0 || b.signum() < 0) {
            throw new IllegalArgumentException("operands must be non-negative numbers, got " + a + ", " + b);
        }
    }

    public static Problem of(long a, long b) {
        return new Problem(BigInteger.valueOf(a), BigInteger.valueOf(b));
    }

    @Override
    public String toString() {
        return "(" + a + ", " + b + ")";
    }
}

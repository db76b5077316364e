package dev.lengthgen.tasks.sampling;

import dev.lengthgen.tasks.Problem;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A set of operand pairs. Pairs of longs live in an open-addressing table of two long arrays (16 bytes a slot,
 * not the ~100 a boxed entry costs), so training sets of millions of pairs stay small; larger numbers fall back to
 * a HashSet of {@link Problem}s.
 */
final class PairSet {
    private static final long EMPTY = -1;
    private long[] keysA = new long[16];
    private long[] keysB = new long[16];
    private int size;
    private int longSize;
    private final Set<Problem> big = new HashSet<>();

    PairSet() {
        Arrays.fill(keysA, EMPTY);
    }

    int size() {
        return size;
    }

    /** Adds (a, b), both >= 0; false when already present. */
    boolean add(long a, long b) {
        if ((longSize + 1) * 2 > keysA.length) {
            grow();
        }
        int mask = keysA.length - 1;
        int i = slot(a, b) & mask;
        while (keysA[i] != EMPTY) {
            if (keysA[i] == a && keysB[i] == b) {
                return false;
            }
            i = (i + 1) & mask;
        }
        keysA[i] = a;
        keysB[i] = b;
        longSize++;
        size++;
        return true;
    }

    boolean contains(long a, long b) {
        int mask = keysA.length - 1;
        int i = slot(a, b) & mask;
        while (keysA[i] != EMPTY) {
            if (keysA[i] == a && keysB[i] == b) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    boolean add(BigInteger a, BigInteger b) {
        if (a.bitLength() < 63 && b.bitLength() < 63) {
            return add(a.longValue(), b.longValue());
        }
        boolean added = big.add(new Problem(a, b));
        if (added) {
            size++;
        }
        return added;
    }

    boolean contains(BigInteger a, BigInteger b) {
        if (a.bitLength() < 63 && b.bitLength() < 63) {
            return contains(a.longValue(), b.longValue());
        }
        return big.contains(new Problem(a, b));
    }

    private static int slot(long a, long b) {
        long h = a * 0x9E3779B97F4A7C15L + b;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    private void grow() {
        long[] oldA = keysA;
        long[] oldB = keysB;
        keysA = new long[oldA.length * 2];
        keysB = new long[oldB.length * 2];
        Arrays.fill(keysA, EMPTY);
        int mask = keysA.length - 1;
        for (int j = 0; j < oldA.length; j++) {
            if (oldA[j] != EMPTY) {
                int i = slot(oldA[j], oldB[j]) & mask;
                while (keysA[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keysA[i] = oldA[j];
                keysB[i] = oldB[j];
            }
        }
    }
}

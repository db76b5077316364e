package dev.lengthgen.tasks.theory;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.eval.LengthLabel;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TruncationTheoryTest {

    private static long pow(int b, int e) {
        long x = 1;
        for (int i = 0; i < e; i++) {
            x *= b;
        }
        return x;
    }

    private static int digits(long x, int base) {
        int d = 1;
        while (x >= base) {
            x /= base;
            d++;
        }
        return d;
    }

    private static long apply(Operation op, long p, long a, long b) {
        long c = op.isAdditive() ? a + b : a * b;
        return op.isModular() ? c % p : c;
    }

    /** Counts the pairs of D_m and D~_m on which f^ = f by enumerating them all: {count in D_m, count in D~_m}. */
    private static long[] bruteForce(Operation op, long p, int base, int n, int m) {
        long hi = pow(base, m);
        long lo = pow(base, m - 1);
        long mod = pow(base, n);
        long[] count = new long[2];
        for (long a = 0; a < hi; a++) {
            for (long b = 0; b < hi; b++) {
                if ((a >= lo || b >= lo) && apply(op, p, a % mod, b % mod) == apply(op, p, a, b)) {
                    count[0]++;
                    if (a >= lo && b >= lo) {
                        count[1]++;
                    }
                }
            }
        }
        return count;
    }

    @Test
    void countsMatchBruteForceInBase10AndOthers() {
        int[][] cases = {{10, 1, 2}, {10, 1, 3}, {10, 2, 3}, {3, 1, 3}, {3, 2, 4}, {7, 1, 3}, {16, 1, 2}};
        long[] moduli = {2, 3, 5, 6, 7, 9, 12, 25, 50, 51, 64, 100, 101};
        long[] fewerModuli = {6, 7, 50, 51, 101};
        for (int[] c : cases) {
            int base = c[0];
            int n = c[1];
            int m = c[2];
            boolean large = Math.pow(base, 2 * m) > 100_000;
            for (Operation op : Operation.values()) {
                for (long p : op.isModular() ? (large ? fewerModuli : moduli) : new long[]{0}) {
                    ArithmeticTask task = new ArithmeticTask(op, base, p);
                    long[] expected = bruteForce(op, p, base, n, m);
                    for (Sampler sampler : Sampler.values()) {
                        TruncationTheory theory = new TruncationTheory(task, DigitSpec.of(n), sampler, 1);
                        Prediction pr = theory.predict(m);
                        String what = task.describe() + " base " + base + " n=" + n + " m=" + m + " " + sampler;
                        assertEquals(Method.EXACT, pr.method(), what);
                        assertEquals(BigInteger.valueOf(expected[sampler.ordinal()]), pr.agreeing(), what);
                        assertEquals(sampler.pairCount(base, m), pr.total(), what);
                        assertEquals(LengthLabel.OUTWARD, pr.label());
                    }
                }
            }
        }
    }

    @Test
    void papersModularCases() {
        for (long p : new long[]{50, 100, 200}) {
            TruncationTheory t = new TruncationTheory(ArithmeticTask.of(Operation.MOD_ADD, p), 4);
            assertEquals(1, t.reducedModulus());
            for (int m = 1; m <= 9; m++) {
                assertEquals(1.0, t.predict(m).predicted(), 0.0);
            }
        }
        TruncationTheory t101 = new TruncationTheory(ArithmeticTask.of(Operation.MOD_ADD, 101), 4);
        assertEquals(101, t101.reducedModulus());
        // Largest A + B' for m = 5, 6 is 18, 198: zero at 5, nonzero from 6 (2 (10^2 - 1) = 198 >= 101).
        assertEquals(5, t101.lastZeroLength().getAsInt());
        assertEquals(0.0, t101.predict(5).predicted(), 0.0);
        assertTrue(t101.predict(6).predicted() > 0);
        assertEquals(1.0 / 101, t101.predict(9).predicted(), 2e-4);
        assertEquals(1.0 / 101, t101.limit(), 1e-12);
        TruncationTheory t150 = new TruncationTheory(ArithmeticTask.of(Operation.MOD_ADD, 150), 4);
        assertEquals(3, t150.reducedModulus());
        assertEquals(50.0 / 150, t150.limit(), 1e-12);
        assertEquals(LengthLabel.ID, t150.predict(4).label());
        assertEquals(LengthLabel.INWARD, t150.predict(3).label());
        TruncationTheory add = new TruncationTheory(ArithmeticTask.of(Operation.ADD, 0), 4);
        assertEquals(0.0, add.predict(5).predicted(), 0.0);
        assertEquals(Integer.MAX_VALUE, add.lastZeroLength().getAsInt());
        TruncationTheory mul = new TruncationTheory(ArithmeticTask.of(Operation.MOD_MUL, 101), 4);
        assertEquals(Method.EXACT, mul.predict(9).method());
        assertEquals(Method.SAMPLED,
                new TruncationTheory(ArithmeticTask.of(Operation.MOD_MUL, 1009), 4).predict(5).method());
    }

    @Test
    void additionPerPlaceMatchesBruteForce() {
        for (int base : new int[]{10, 3}) {
            for (Sampler sampler : Sampler.values()) {
                int n = base == 10 ? 1 : 2;
                int m = n + 2;
                TruncationTheory t = new TruncationTheory(ArithmeticTask.of(Operation.ADD, 0).base() == base
                        ? ArithmeticTask.of(Operation.ADD, 0) : new ArithmeticTask(Operation.ADD, base, 0),
                        DigitSpec.of(n), sampler, 1);
                PlacePrediction pp = t.perPlace(m);
                long hi = pow(base, m);
                long mod = pow(base, n);
                long[] right = new long[m + 2];
                long total = 0;
                for (long a = 0; a < hi; a++) {
                    for (long b = 0; b < hi; b++) {
                        int da = digits(a, base);
                        int db = digits(b, base);
                        boolean in = sampler == Sampler.B ? da == m && db == m : Math.max(da, db) == m;
                        if (!in) {
                            continue;
                        }
                        total++;
                        long truth = a + b;
                        long hat = a % mod + b % mod;
                        for (int k = 0; k < m + 2; k++) {
                            long unit = pow(base, k);
                            if ((truth / unit) % base == (hat / unit) % base) {
                                right[k]++;
                            }
                        }
                    }
                }
                assertEquals(Method.EXACT, pp.method());
                for (int k = 0; k < m + 2; k++) {
                    assertEquals((double) right[k] / total, pp.perPlace()[k], 1e-12, "base " + base + " place "
                            + (k + 1) + " " + sampler);
                }
                assertEquals(1.0, pp.perPlace()[0], 0.0);
            }
        }
    }
}

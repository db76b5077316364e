package dev.lengthgen.tasks.sampling;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.Radix;
import dev.lengthgen.tasks.format.Format;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    private static final ArithmeticTask ADD = ArithmeticTask.of(Operation.ADD, 0);
    private static final Format W20 = Format.defaults(ADD, 20);

    private static int digits(long x, int base) {
        int d = 1;
        while (x >= base) {
            x /= base;
            d++;
        }
        return d;
    }

    @Test
    void pairCountsMatchBruteForce() {
        for (int base : new int[]{2, 3, 7, 10, 16}) {
            for (int n = 1; n <= 3 && Math.pow(base, 2 * n) <= 5_000_000; n++) {
                long countA = 0;
                long countB = 0;
                long hi = Sampler.pow(base, n);
                for (long a = 0; a < hi; a++) {
                    for (long b = 0; b < hi; b++) {
                        int da = digits(a, base);
                        int db = digits(b, base);
                        if (Math.max(da, db) == n) {
                            countA++;
                        }
                        if (da == n && db == n) {
                            countB++;
                        }
                        assertEquals(Math.max(da, db) == n, Sampler.A.contains(base, n, a, b));
                    }
                }
                assertEquals(BigInteger.valueOf(countA), Sampler.A.pairCount(base, n), "A base " + base + " n " + n);
                assertEquals(BigInteger.valueOf(countB), Sampler.B.pairCount(base, n), "B base " + base + " n " + n);
                assertEquals(countA, Sampler.A.enumerate(base, n, 1 << 25)[0].length);
                assertEquals(n, Radix.digitCount(BigInteger.valueOf(hi - 1), base));
            }
        }
        for (int n = 2; n <= 30; n++) {
            BigInteger formula = BigInteger.valueOf(18).multiply(BigInteger.TEN.pow(2 * n - 1))
                    .subtract(BigInteger.valueOf(81).multiply(BigInteger.TEN.pow(2 * n - 2)));
            assertEquals(formula, Sampler.A.pairCount(10, n));
        }
    }

    @Test
    void sameSeedSameDataDifferentSeedDifferentData() {
        Dataset d1 = new Dataset(ADD, W20, DigitSpec.parse("4,5"), Sampler.A, 7, 5000);
        Dataset d2 = new Dataset(ADD, W20, DigitSpec.parse("4,5"), Sampler.A, 7, 5000);
        Dataset d3 = new Dataset(ADD, W20, DigitSpec.parse("4,5"), Sampler.A, 8, 5000);
        assertEquals(d1.trainingPairs(), d2.trainingPairs());
        assertNotEquals(d1.trainingPairs(), d3.trainingPairs());
        for (long step : new long[]{0, 1, 77, 78, 79, 1000}) {
            assertEquals(d1.trainBatch(step, 64), d2.trainBatch(step, 64));
        }
        // Resuming is a function of the step alone: asking out of order gives the same batch.
        List<Problem> late = d1.trainBatch(1000, 64);
        d1.trainBatch(3, 64);
        assertEquals(late, d1.trainBatch(1000, 64));
        assertEquals(d1.testSet(6, 300), d2.testSet(6, 300));
        assertArrayEquals(new int[]{2500, 2500}, d1.pairsPerLength());
        // Values pinned so that any change of algorithm is noticed: a seed must give the same data in every
        // version, on every machine.
        assertEquals(Problem.of(2629, 4680), d1.trainProblem(0));
        assertEquals(List.of(Problem.of(4227, 3816), Problem.of(67306, 29254), Problem.of(11348, 87292)),
                d1.trainBatch(0, 3));
        assertEquals(List.of(Problem.of(514375, 316903), Problem.of(102266, 126791), Problem.of(966951, 438350)),
                d1.testSet(6, 3));
        assertEquals(List.of(Problem.of(9040, 8800), Problem.of(3190, 7790)), d1.trainBatch(1000, 2));
        // The published SplitMix64 reference: first output for seed 0 is 0xe220a8397b1dcdaf.
        assertEquals(0xe220a8397b1dcdafL, new SplitMix64(0).nextLong());
    }

    @Test
    void epochsVisitEveryPairOnce() {
        Dataset d = new Dataset(ADD, W20, DigitSpec.parse("2"), Sampler.B, 1, 100);
        Set<Problem> epoch0 = new HashSet<>();
        for (int s = 0; s < 10; s++) {
            epoch0.addAll(d.trainBatch(s, 10));
        }
        assertEquals(100, epoch0.size());
        assertNotEquals(d.trainBatch(0, 10), d.trainBatch(10, 10));
        for (Problem p : d.trainingPairs()) {
            assertTrue(Sampler.B.contains(10, 2, p.a(), p.b()));
        }
    }

    @Test
    void trainingPairsAreUniqueAndInTheirDomain() {
        Dataset d = new Dataset(ADD, W20, DigitSpec.parse("1-3"), Sampler.A, 3, 3000);
        Set<Problem> seen = new HashSet<>(d.trainingPairs());
        assertEquals(3000, seen.size());
        // D_1 has only 100 pairs: it gives 90 of them, keeping 10 unseen to test, and the other lengths share the rest.
        assertArrayEquals(new int[]{90, 1455, 1455}, d.pairsPerLength());
        assertEquals(10, d.testSet(1, 100, Sampler.A).size());
        Dataset all = new Dataset(ADD, W20, DigitSpec.parse("1,2"), Sampler.A, 3, Dataset.ALL);
        assertEquals(10000, all.trainSize());
        assertEquals(10000, new HashSet<>(all.trainingPairs()).size());
        Dataset big = new Dataset(ADD, W20, DigitSpec.parse("20"), Sampler.A, 3, 200);
        for (Problem p : big.trainingPairs()) {
            assertTrue(Sampler.A.contains(10, 20, p.a(), p.b()));
        }
    }

    @Test
    void tooManyPairsIsAnErrorThatSaysHowManyExist() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(ADD, W20, DigitSpec.parse("1"), Sampler.A, 1, 101));
        assertTrue(e.getMessage().contains("only 100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(ADD, W20, DigitSpec.parse("2"), Sampler.B, 1, 8101));
        assertTrue(e.getMessage().contains("only 8100"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(ADD, Format.defaults(ADD, 4), DigitSpec.parse("5"), Sampler.A, 1, 10));
    }

    @Test
    void idTestSetIsDisjointFromTraining() {
        // D_2 with 9000 of its 9900 pairs: the D~_2 test set must come from the 8100 - (train overlap) left.
        Dataset d = new Dataset(ADD, W20, DigitSpec.parse("2"), Sampler.A, 5, 9000);
        List<Problem> test = d.testSet(2, 100_000);
        long inTrainB = d.trainingPairs().stream().filter(p -> Sampler.B.contains(10, 2, p.a(), p.b())).count();
        assertEquals(8100 - inTrainB, test.size());
        assertEquals(test.size(), new HashSet<>(test).size());
        for (Problem p : test) {
            assertFalse(d.isTraining(p));
            assertTrue(Sampler.B.contains(10, 2, p.a(), p.b()));
        }
        Dataset d4 = new Dataset(ADD, W20, DigitSpec.parse("4"), Sampler.A, 5, 50_000);
        for (Problem p : d4.testSet(4, 2000)) {
            assertFalse(d4.isTraining(p));
        }
        Set<Problem> train = new HashSet<>(d4.trainingPairs());
        for (Problem p : d4.testSet(4, 2000, Sampler.A)) {
            assertFalse(train.contains(p));
        }
        assertEquals(2000, d4.testSet(9, 2000).size());
        assertEquals(d4.testSet(9, 2000), d4.testSet(9, 2000));
    }

    @Test
    void digitSpecs() {
        assertEquals(List.of(4), DigitSpec.parse("4").lengths());
        assertEquals(List.of(4, 5), DigitSpec.parse("4,5").lengths());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), DigitSpec.parse("1-9").lengths());
        DigitSpec w = DigitSpec.parse("4:0.25,5:0.75");
        assertEquals(0.25, w.weight(4), 1e-12);
        assertEquals(5, w.max());
        assertEquals("4:0.25,5:0.75", w.toString());
        assertEquals("1-3,5", DigitSpec.parse("5,1-3").toString());
        for (String bad : new String[]{"", "x", "0", "4,4", "5-3", "4:0.5,5", "4:-1", "1-3:0.5", "4,,5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DigitSpec.parse(bad));
            assertTrue(e.getMessage().startsWith("bad digit spec"), e.getMessage());
        }
    }

    @Test
    void balancedEpochsDrawEveryLengthAtItsWeight() {
        DigitSpec mix = DigitSpec.parse("1:1,2:1,3:2");
        Dataset plain = new Dataset(ADD, W20, mix, Sampler.A, 5, 4000);
        Dataset balanced = new Dataset(ADD, W20, mix, Sampler.A, 5, 4000, true);
        // The same unique pairs either way (so the same test sets); only the epochs differ.
        assertEquals(plain.trainingPairs(), balanced.trainingPairs());
        assertArrayEquals(new int[]{90, 1303, 2607}, balanced.pairsPerLength());
        assertEquals(4000, plain.epochSize());
        // D_3's 2607 pairs once per epoch; D_1 and D_2 repeated up to their weights: 1304 slots each (rounded up).
        assertEquals(2607 + 1304 + 1304, balanced.epochSize());

        int[] perLength = new int[4];
        int examples = 0;
        for (int step = 0; step < balanced.epochSize() / 64; step++) {
            for (Problem p : balanced.trainBatch(step, 64)) {
                perLength[Math.max(Radix.digitCount(p.a(), 10), Radix.digitCount(p.b(), 10))]++;
                examples++;
            }
        }
        assertEquals(0.25, perLength[1] / (double) examples, 0.01);
        assertEquals(0.25, perLength[2] / (double) examples, 0.01);
        assertEquals(0.50, perLength[3] / (double) examples, 0.01);
        // Each epoch holds every pair of a repeated length equally often (here 14 or 15 times for D_1).
        Set<Problem> ones = new HashSet<>();
        for (int i = 0; i < balanced.epochSize(); i++) {
            Problem p = balanced.trainBatch(i, 1).get(0);
            if (Radix.digitCount(p.a(), 10) == 1 && Radix.digitCount(p.b(), 10) == 1) {
                ones.add(p);
            }
        }
        assertEquals(90, ones.size());
        assertEquals(balanced.trainBatch(77, 64), new Dataset(ADD, W20, mix, Sampler.A, 5, 4000, true)
                .trainBatch(77, 64), "a pure function of (seed, index, batch size)");
    }
}

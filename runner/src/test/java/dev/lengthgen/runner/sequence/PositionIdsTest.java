package dev.lengthgen.runner.sequence;

import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.EncodedExample;
import dev.lengthgen.tasks.format.Format;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Position ids of hand-made examples under the digit schemes, and the random draws of training batches. */
class PositionIdsTest {
    private static final ArithmeticTask ADD = ArithmeticTask.of(Operation.ADD, 0);
    /** Everything least significant digit first, no padding: 12 + 345 is "21+543=753;". */
    private static final Format LSB_FIRST = new Format(3, 4, true, true, false, '+');
    private static final PositionConfig ABACUS = PositionConfig.of(PositionConfig.Scheme.ABACUS);
    private static final PositionConfig COUPLING = PositionConfig.of(PositionConfig.Scheme.COUPLING);

    private static EncodedExample example(Format f, long a, long b) {
        return new Codec(ADD, f).encode(Problem.of(a, b));
    }

    @Test
    void abacusNumbersEachDigitByItsPlaceInItsOwnNumber() {
        EncodedExample e = example(LSB_FIRST, 12, 345);
        //                 <bos> 2  1  +  5  4  3  =  7  5  3  ;  <eos>
        int[] want = {0, 1, 2, 0, 1, 2, 3, 0, 1, 2, 3, 0, 0};
        assertArrayEquals(want, new PositionIds(ABACUS, LSB_FIRST).evaluation(e, e.length()));
    }

    @Test
    void couplingSharesOneIdPerPlaceAndShiftsTheAnswerToTheDigitItPredicts() {
        EncodedExample e = example(LSB_FIRST, 12, 345);
        // '=' predicts the units (id 1); the answer digit of place p predicts place p + 1.
        //                 <bos> 2  1  +  5  4  3  =  7  5  3  ;  <eos>
        int[] want = {0, 1, 2, 0, 1, 2, 3, 1, 2, 3, 4, 0, 0};
        PositionIds ids = new PositionIds(COUPLING, LSB_FIRST);
        assertArrayEquals(want, ids.evaluation(e, e.length()));
        // Decoding feeds the answer back with the ids training gave it.
        assertArrayEquals(new int[]{2, 3, 4}, ids.generated(e.answerStart(), 3));
    }

    @Test
    void operandsWrittenMostSignificantFirstKeepTheirPlaces() {
        Format plainOperands = new Format(3, 4, true, false, true, '+'); // "012+345=7530;" padded
        EncodedExample e = example(plainOperands, 12, 345);
        //                 <bos> 0  1  2  +  3  4  5  =  7  5  3  0  ;  <eos>
        int[] abacus = {0, 3, 2, 1, 0, 3, 2, 1, 0, 1, 2, 3, 4, 0, 0};
        int[] coupling = {0, 3, 2, 1, 0, 3, 2, 1, 1, 2, 3, 4, 5, 0, 0};
        assertArrayEquals(abacus, new PositionIds(ABACUS, plainOperands).evaluation(e, e.length()));
        assertArrayEquals(coupling, new PositionIds(COUPLING, plainOperands).evaluation(e, e.length()));
        // A padded answer of 4 digits: the generated ids stop at its end.
        assertArrayEquals(new int[]{2, 3, 4, 5, 0}, new PositionIds(COUPLING, plainOperands).generated(9, 5));
    }

    @Test
    void anAnswerWrittenMostSignificantFirstCouplesToTheNextPlaceDown() {
        Format plainAnswer = new Format(3, 4, false, false, true, '+'); // "012+345=0357;"
        EncodedExample e = example(plainAnswer, 12, 345);
        //                 <bos> 0  1  2  +  3  4  5  =  0  3  5  7  ;  <eos>
        int[] want = {0, 3, 2, 1, 0, 3, 2, 1, 4, 3, 2, 1, 0, 0, 0};
        assertArrayEquals(want, new PositionIds(COUPLING, plainAnswer).evaluation(e, e.length()));
        assertArrayEquals(new int[]{3, 2, 1}, new PositionIds(COUPLING, plainAnswer).generated(9, 3));
    }

    @Test
    void trainingShiftsEveryDigitIdOfAnExampleByOneOffset() {
        PositionIds ids = new PositionIds(COUPLING.withMaxOffset(30), LSB_FIRST);
        EncodedExample e = example(LSB_FIRST, 12, 345);
        int[] plain = ids.evaluation(e, 14);
        int[] shifted = ids.training(e, 14, new SplittableRandom(1));
        int offset = shifted[1] - plain[1];
        assertTrue(offset >= 0 && offset <= 30);
        for (int t = 0; t < 14; t++) {
            assertEquals(plain[t] == 0 ? 0 : plain[t] + offset, shifted[t], "token " + t);
        }
    }

    @Test
    void randomizedPositionsAreASortedSubsetOfTheRange() {
        SplittableRandom r = new SplittableRandom(3);
        int[] seen = new int[40];
        for (int draw = 0; draw < 2000; draw++) {
            int[] ids = PositionIds.sortedSubset(10, 40, r);
            for (int i = 0; i < ids.length; i++) {
                assertTrue(ids[i] >= 0 && ids[i] < 40 && (i == 0 || ids[i] > ids[i - 1]), Arrays.toString(ids));
                seen[ids[i]]++;
            }
        }
        for (int v = 0; v < 40; v++) { // uniform: each value is in a draw with probability 10/40
            assertTrue(Math.abs(seen[v] - 500) < 100, "value " + v + " drawn " + seen[v] + " times");
        }
    }

    @Test
    void trainingBatchesRepeatTheirDrawsAndEvaluationHasNone() {
        Codec codec = new Codec(ADD, LSB_FIRST);
        BatchBuilder builder = new BatchBuilder(codec, 12, COUPLING.withMaxOffset(20), 7, RandomPadding.NONE);
        List<Problem> problems = List.of(Problem.of(12, 345), Problem.of(999, 1), Problem.of(5, 5));
        Batch first = builder.buildTraining(problems, 4);
        assertArrayEquals(first.positions(), builder.buildTraining(problems, 4).positions());
        assertTrue(!Arrays.equals(first.positions(), builder.buildTraining(problems, 5).positions()));
        int[] eval = builder.build(problems).positions();
        assertArrayEquals(new PositionIds(COUPLING, LSB_FIRST).evaluation(codec.encode(problems.get(0)), 12),
                Arrays.copyOf(eval, 12));
        // alibi and t5 share one bias per batch: every row gets the same randomized ids.
        BatchBuilder alibi = new BatchBuilder(codec, 12,
                PositionConfig.of(PositionConfig.Scheme.ALIBI).withRandomRange(50), 7, RandomPadding.NONE);
        int[] ids = alibi.buildTraining(problems, 0).positions();
        assertArrayEquals(Arrays.copyOfRange(ids, 0, 12), Arrays.copyOfRange(ids, 24, 36));
    }

    @Test
    void randomPaddingDrawsEveryWidthAtTrainingAndPadsToWAtEvaluation() {
        Format coupled = Format.defaults(ADD, 6).withAnswerWidth(6); // 2W + answer width + 5 = 23 tokens at most
        Codec codec = new Codec(ADD, coupled);
        Problem p = Problem.of(349, 605); // sum 954: the narrowest padding is 3 digits
        BatchBuilder any = new BatchBuilder(codec, 22, COUPLING.withMaxOffset(0), 3, new RandomPadding(6, 1));
        assertEquals(new TreeSet<>(List.of(3, 4, 5, 6)), widthsDrawn(any, codec, coupled, p));
        // At most K = 1 narrower than W: only 5 and 6.
        BatchBuilder oneNarrower = new BatchBuilder(codec, 22, COUPLING.withMaxOffset(0), 3, new RandomPadding(1, 1));
        assertEquals(new TreeSet<>(List.of(5, 6)), widthsDrawn(oneNarrower, codec, coupled, p));
        assertArrayEquals(Arrays.copyOf(codec.encode(p).tokens(), 22), any.build(List.of(p)).tokens());
        assertThrows(IllegalArgumentException.class,
                () -> new BatchBuilder(new Codec(ADD, coupled.withPadded(false)), 22, COUPLING, 3,
                        new RandomPadding(6, 1)));
        assertThrows(IllegalArgumentException.class, () -> new RandomPadding(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RandomPadding(1, 0));
        // A share of 0.5: half the examples padded to W, the other half drawn from {5, 6}: a quarter at 5.
        RandomPadding half = new RandomPadding(1, 0.5f);
        SplittableRandom rng = new SplittableRandom(11);
        int narrowed = 0;
        for (int i = 0; i < 4000; i++) {
            int w = half.draw(3, 6, rng);
            assertTrue(w == 5 || w == 6, "width " + w);
            narrowed += w == 5 ? 1 : 0;
        }
        assertTrue(narrowed > 850 && narrowed < 1150, narrowed + " of 4000 narrowed");
    }

    /** The widths 200 training draws of p pad it to, each row checked against the codec at that width. */
    private static Set<Integer> widthsDrawn(BatchBuilder builder, Codec codec, Format format, Problem p) {
        int pad = codec.vocabulary().pad();
        Set<Integer> widths = new TreeSet<>();
        for (int draw = 0; draw < 200; draw++) {
            Batch b = builder.buildTraining(List.of(p), draw);
            int len = 0;
            while (len < 22 && b.tokens()[len] != pad) {
                len++;
            }
            int width = (len - 4) / 3; // inputs: bos, operands, '+', '=', answer, ';' (the eos is only a target)
            widths.add(width);
            EncodedExample e = codec.encode(p, width);
            assertArrayEquals(Arrays.copyOf(e.tokens(), len), Arrays.copyOf(b.tokens(), len));
            // Coupling ids follow the digits' places, whatever the width: the units of both operands share id 1.
            assertArrayEquals(new PositionIds(COUPLING.withMaxOffset(0), format).evaluation(e, len),
                    Arrays.copyOf(b.positions(), len));
        }
        return widths;
    }

    @Test
    void aDigitSchemeRefusesAnAnswerWhosePlacesAreUnknownWhileGenerating() {
        Format unpaddedPlainAnswer = new Format(3, 4, false, false, false, '+');
        var e = assertThrows(IllegalArgumentException.class, () -> new PositionIds(ABACUS, unpaddedPlainAnswer));
        assertTrue(e.getMessage().contains("--plain-answer"), e.getMessage());
    }
}

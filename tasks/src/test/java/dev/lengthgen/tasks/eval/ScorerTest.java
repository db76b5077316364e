package dev.lengthgen.tasks.eval;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.Format;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerTest {
    private static final ArithmeticTask ADD = ArithmeticTask.of(Operation.ADD, 0);

    @Test
    void handMadePredictionsReversedPadded() {
        Codec codec = new Codec(ADD, Format.defaults(ADD, 6));
        Scorer scorer = new Scorer(codec);
        // 5-digit problems, a model trained on 4 digits.
        List<Problem> problems = List.of(Problem.of(12349, 20705), Problem.of(99999, 1), Problem.of(50000, 50000));
        // truths (reversed, width 7): 33054 -> 4503300, 100000 -> 0000010, 100000 -> 0000010
        assertEquals("4503300", codec.answer(problems.get(0)));
        List<String> predictions = List.of(
                "4503300",      // exact
                "0000100",      // f^ = 9999 + 1 = 10000: places 1-4 right, 5 wrong (1 vs 0), 6 wrong (0 vs 1)
                "0000");        // stopped early: 0 at every place; right except place 6
        LengthResult r = scorer.score(5, DigitSpec.parse("4"), problems, predictions);
        assertEquals(LengthLabel.OUTWARD, r.label());
        assertEquals(3, r.count());
        assertEquals(1.0 / 3, r.exact(), 1e-12);
        // f^ = 2349 + 0705 = 3054, 9999 + 1 = 10000, 0 + 0 = 0: only the second prediction ("0000100") is f^.
        assertEquals(1.0 / 3, r.fhat(), 1e-12);
        // Places 1..7 (longest significant part is 6 digits, plus one).
        assertArrayEquals(new double[]{1, 1, 1, 1, 2.0 / 3, 1.0 / 3, 1}, r.perPlace(), 1e-12);
    }

    @Test
    void plainUnpaddedAnswersAndTokenIds() {
        Codec codec = new Codec(ADD, Format.defaults(ADD, 6).withPadded(false).withReverseAnswer(false));
        Scorer scorer = new Scorer(codec);
        List<Problem> problems = List.of(Problem.of(349, 705), Problem.of(1, 2));
        int sep = codec.vocabulary().separatorId();
        List<int[]> generated = List.of(new int[]{1, 0, 5, 4, sep, codec.vocabulary().eos()},
                new int[]{3, 3, sep});
        LengthResult r = scorer.scoreIds(3, LengthLabel.ID, problems, generated, 0);
        assertEquals(0.5, r.exact(), 1e-12);
        assertTrue(Double.isNaN(r.fhat()));
        // truths 1054 and 3; predictions 1054 and 33: place 2 wrong for the second (3 vs 0). Places 1..5.
        assertArrayEquals(new double[]{1, 0.5, 1, 1, 1}, r.perPlace(), 1e-12);
        LengthResult junk = scorer.score(3, LengthLabel.ID, List.of(Problem.of(1, 2)), List.of("+3"), 3);
        assertEquals(0.0, junk.exact(), 0.0);
        assertArrayEquals(new double[]{1, 0, 1}, junk.perPlace(), 1e-12);
    }

    @Test
    void labels() {
        DigitSpec train = DigitSpec.parse("3,5");
        assertEquals(LengthLabel.INWARD, LengthLabel.of(2, train));
        assertEquals(LengthLabel.ID, LengthLabel.of(3, train));
        assertEquals(LengthLabel.INWARD, LengthLabel.of(4, train));
        assertEquals(LengthLabel.ID, LengthLabel.of(5, train));
        assertEquals(LengthLabel.OUTWARD, LengthLabel.of(6, train));
    }
}

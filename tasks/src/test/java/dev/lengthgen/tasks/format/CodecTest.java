package dev.lengthgen.tasks.format;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.Radix;
import dev.lengthgen.tasks.sampling.SplitMix64;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecTest {
    private static final ArithmeticTask ADD = ArithmeticTask.of(Operation.ADD, 0);

    @Test
    void papersExampleAtWidth20() {
        Codec codec = new Codec(ADD, Format.defaults(ADD, 20));
        Problem p = Problem.of(349, 705);
        assertEquals("00000000000000000349+00000000000000000705=450100000000000000000;", codec.text(p));
        EncodedExample e = codec.encode(p);
        Vocabulary v = codec.vocabulary();
        assertEquals(66, e.length());
        assertEquals(v.bos(), e.tokens()[0]);
        assertEquals(v.eos(), e.tokens()[65]);
        assertEquals("^00000000000000000349+00000000000000000705=450100000000000000000;$", v.decode(e.tokens()));
        assertEquals(43, e.answerStart());
        assertEquals(v.equalsId(), e.tokens()[42]);
        assertEquals(66, codec.maxSequenceLength(20));
        assertEquals(23, codec.maxAnswerTokens());
        assertEquals(16, v.size());
    }

    @Test
    void lossMaskPlacesAndNumbers() {
        ArithmeticTask add = ADD;
        Codec codec = new Codec(add, Format.defaults(add, 4));
        EncodedExample e = codec.encode(Problem.of(349, 705));
        // ^ 0 3 4 9 + 0 7 0 5 = 4 5 0 1 0 ; $
        assertEquals("^0349+0705=45010;$", codec.vocabulary().decode(e.tokens()));
        assertArrayEquals(new int[]{0, 4, 3, 2, 1, 0, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 0, 0}, e.place());
        assertArrayEquals(new int[]{-1, 0, 0, 0, 0, -1, 1, 1, 1, 1, -1, 2, 2, 2, 2, 2, -1, -1}, e.number());
        float[] mask = new float[18];
        Arrays.fill(mask, 11, 18, 1f);
        assertArrayEquals(mask, e.lossMask());
        assertEquals(11, e.answerStart());
    }

    @Test
    void narrowerPaddingShrinksOperandsAndAnswerAlike() {
        Codec codec = new Codec(ADD, Format.defaults(ADD, 6));
        Vocabulary v = codec.vocabulary();
        Problem p = Problem.of(349, 705); // sum 1054: four answer digits
        assertEquals(3, codec.narrowestPadding(p));
        assertEquals("^000349+000705=4501000;$", v.decode(codec.encode(p).tokens()));
        assertArrayEquals(codec.encode(p).tokens(), codec.encode(p, 6).tokens());
        EncodedExample e = codec.encode(p, 3);
        assertEquals("^349+705=4501;$", v.decode(e.tokens()));
        assertArrayEquals(new int[]{0, 3, 2, 1, 0, 3, 2, 1, 0, 1, 2, 3, 4, 0, 0}, e.place());
        assertEquals("^0349+0705=45010;$", v.decode(codec.encode(p, 4).tokens()));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(p, 2));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(p, 7));

        // Answers as wide as the operands (position coupling): a carry out needs one more operand place.
        Codec coupled = new Codec(ADD, Format.defaults(ADD, 6).withAnswerWidth(6));
        assertEquals(4, coupled.narrowestPadding(p));
        assertEquals("^0349+0705=4501;$", coupled.vocabulary().decode(coupled.encode(p, 4).tokens()));
        assertEquals(3, coupled.narrowestPadding(Problem.of(349, 605)));
        // A modular answer (two digits for p = 100) keeps its width at every operand width.
        ArithmeticTask mod = new ArithmeticTask(Operation.MOD_ADD, 10, 100);
        Codec modular = new Codec(mod, Format.defaults(mod, 6));
        assertEquals(1, modular.narrowestPadding(Problem.of(3, 4)));
        assertEquals("^00003+00004=70;$", modular.vocabulary().decode(modular.encode(Problem.of(3, 4), 5).tokens()));
        assertEquals("^3+4=70;$", modular.vocabulary().decode(modular.encode(Problem.of(3, 4), 1).tokens()));
        assertEquals(2, modular.narrowestPadding(Problem.of(99, 98)));
        // A product loses two answer digits per operand digit: at width 2 of W = 3, 12 x 34 = 408 is written 0408.
        ArithmeticTask mul = new ArithmeticTask(Operation.MUL, 10, 0);
        Codec product = new Codec(mul, Format.defaults(mul, 3));
        assertEquals(2, product.narrowestPadding(Problem.of(12, 34)));
        assertEquals("^012+034=804000;$", product.vocabulary().decode(product.encode(Problem.of(12, 34)).tokens()));
        assertEquals("^12+34=8040;$", product.vocabulary().decode(product.encode(Problem.of(12, 34), 2).tokens()));
        assertThrows(IllegalArgumentException.class,
                () -> new Codec(ADD, Format.defaults(ADD, 6).withPadded(false)).encode(p, 6));
    }

    @Test
    void variantsOfTheFormat() {
        Format f = Format.defaults(ADD, 4).withPadded(false).withReverseAnswer(false).withReverseOperands(true)
                .withOperator('x');
        Codec codec = new Codec(ADD, f);
        assertEquals("943x507=1054;", codec.text(Problem.of(349, 705)));
        EncodedExample e = codec.encode(Problem.of(349, 705));
        assertArrayEquals(new int[]{0, 1, 2, 3, 0, 1, 2, 3, 0, 4, 3, 2, 1, 0, 0}, e.place());
        assertEquals(4 + 4 + 5 + 5, codec.maxSequenceLength(4));
        ArithmeticTask mul = ArithmeticTask.of(Operation.MUL, 0);
        assertEquals("0012+0034=80400000;", new Codec(mul, Format.defaults(mul, 4)).text(Problem.of(12, 34)));
        ArithmeticTask mod = ArithmeticTask.of(Operation.MOD_ADD, 101);
        assertEquals(3, Format.defaults(mod, 20).answerWidth());
        assertEquals("0099+0005=300;", new Codec(mod, Format.defaults(mod, 4)).text(Problem.of(99, 5)));
    }

    @Test
    void roundTripEveryBase() {
        for (int base = 2; base <= 16; base++) {
            for (Operation op : Operation.values()) {
                ArithmeticTask task = new ArithmeticTask(op, base, op.isModular() ? 37 : 0);
                for (boolean padded : new boolean[]{true, false}) {
                    for (boolean rev : new boolean[]{true, false}) {
                        Format f = Format.defaults(task, 9).withPadded(padded).withReverseAnswer(rev)
                                .withReverseOperands(!rev);
                        Codec codec = new Codec(task, f);
                        SplitMix64 rng = new SplitMix64(base * 31L + op.ordinal());
                        for (int i = 0; i < 50; i++) {
                            BigInteger a = rng.nextBigInteger(Radix.pow(base, 1 + i % 9));
                            BigInteger b = rng.nextBigInteger(Radix.pow(base, 1 + (i * 7) % 9));
                            Problem p = new Problem(a, b);
                            EncodedExample e = codec.encode(p);
                            Vocabulary v = codec.vocabulary();
                            String text = v.decode(e.tokens());
                            assertEquals("^" + codec.text(p) + "$", text);
                            assertArrayEquals(e.tokens(), v.encode(text));
                            int[] generated = Arrays.copyOfRange(e.tokens(), e.answerStart(), e.length());
                            String answer = codec.decodeAnswer(generated);
                            assertEquals(codec.answer(p), answer);
                            assertEquals(task.apply(a, b), codec.parseAnswer(answer));
                            assertTrue(e.length() <= codec.maxSequenceLength(9));
                            assertTrue(generated.length <= codec.maxAnswerTokens());
                            for (int k = 0; k < e.length(); k++) {
                                assertEquals(v.isDigit(e.tokens()[k]), e.place()[k] > 0);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void unparseableAnswersAndTooLongNumbers() {
        Codec codec = new Codec(ADD, Format.defaults(ADD, 4));
        assertNull(codec.parseAnswer(""));
        assertNull(codec.parseAnswer("12+4"));
        assertNull(codec.parseAnswer("1a"));
        assertEquals("12", codec.decodeAnswer(new int[]{1, 2, codec.vocabulary().separatorId(), 5}));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(Problem.of(12345, 1)));
        assertThrows(IllegalArgumentException.class, () -> codec.checkFits(5));
        ArithmeticTask mul = ArithmeticTask.of(Operation.MUL, 0);
        Codec narrow = new Codec(mul, Format.defaults(mul, 20).withAnswerWidth(21));
        narrow.checkFits(10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> narrow.checkFits(11));
        assertTrue(e.getMessage().contains("answer width 21"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Format.defaults(ADD, 4).withOperator('='));
        assertThrows(IllegalArgumentException.class, () -> Format.defaults(ADD, 4).withOperator('7'));
    }
}

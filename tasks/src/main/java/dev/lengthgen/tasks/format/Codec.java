package dev.lengthgen.tasks.format;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.Radix;

import java.math.BigInteger;
import java.util.Locale;
import java.util.function.IntBinaryOperator;

/**
 * Writes problems as token sequences in a {@link Format} and reads generated answers back.
 * The sequence is {@code <bos> a OP b = answer ; <eos>}.
 */
public final class Codec {
    private final ArithmeticTask task;
    private final Format format;
    private final Vocabulary vocabulary;
    /** The answer's padding at each operand width w (index w, 1..W): see {@link #answerPaddingAt}. */
    private final int[] answerPadding;

    public Codec(ArithmeticTask task, Format format) {
        this.task = task;
        this.format = format;
        this.vocabulary = Vocabulary.of(task, format);
        this.answerPadding = new int[format.width() + 1];
        for (int w = 1; w <= format.width(); w++) {
            answerPadding[w] = answerPaddingAt(w);
        }
    }

    public ArithmeticTask task() {
        return task;
    }

    public Format format() {
        return format;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * Checks that problems whose operands have at most maxDigits digits can be written: maxDigits <= W and their
     * answers fit the answer width.
     *
     * @throws IllegalArgumentException saying which setting to change
     */
    public void checkFits(int maxDigits) {
        if (maxDigits > format.width()) {
            throw new IllegalArgumentException(maxDigits + "-digit operands do not fit width W=" + format.width()
                    + ": raise the width or use at most " + format.width() + " digits");
        }
        int need = task.maxAnswerDigits(maxDigits);
        if (need > format.answerWidth()) {
            throw new IllegalArgumentException("answer width " + format.answerWidth() + " is too small for "
                    + task.op().cliName() + " answers of " + maxDigits + "-digit operands (up to " + need
                    + " digits): raise the answer width to " + need + " or use shorter operands");
        }
    }

    /** The problem's characters between {@code <bos>} and {@code <eos>}, e.g. "0349+0705=45010;" at W = 4. */
    public String text(Problem p) {
        int w = format.padded() ? format.width() : 0;
        return operand(p.a(), w) + format.operator() + operand(p.b(), w) + "=" + answer(p) + ";";
    }

    /** The answer exactly as written in the sequence (reversed and zero-padded per the format). */
    public String answer(Problem p) {
        return writeAnswer(task.apply(p.a(), p.b()));
    }

    /** Any answer value (e.g. f^) written as the format writes answers. */
    public String writeAnswer(BigInteger value) {
        return writeAnswer(value, format.padded() ? format.answerWidth() : 0);
    }

    private String writeAnswer(BigInteger value, int padTo) {
        return write(value, padTo, format.answerWidth(), format.reverseAnswer(), "answer");
    }

    private String operand(BigInteger x, int padTo) {
        return write(x, padTo, format.width(), format.reverseOperands(), "operand");
    }

    private String write(BigInteger x, int padTo, int maxDigits, boolean reversed, String what) {
        String digits = Radix.toString(x, task.base());
        if (digits.length() > maxDigits) {
            throw new IllegalArgumentException(what + " " + x + " has " + digits.length() + " digits, more than the "
                    + maxDigits + " the format allows" + (what.equals("answer")
                    ? ": raise the answer width" : ": raise the width W"));
        }
        StringBuilder s = new StringBuilder(Math.max(padTo, digits.length()));
        for (int i = digits.length(); i < padTo; i++) {
            s.append('0');
        }
        s.append(digits);
        return reversed ? s.reverse().toString() : s.toString();
    }

    /** Encodes a problem with its true answer, padded as the format says. */
    public EncodedExample encode(Problem p) {
        int operandPad = format.padded() ? format.width() : 0;
        int answerPad = format.padded() ? format.answerWidth() : 0;
        return encodeWritten(p, task.apply(p.a(), p.b()), operandPad, answerPad);
    }

    /**
     * Encodes a problem of a padded format with its operands padded to {@code padWidth} digits instead of W, and its
     * answer's padding shrunk by as much as the task's widest answer shrinks from W to padWidth ({@link
     * #answerPaddingAt}).
     *
     * @throws IllegalArgumentException when padWidth is outside [{@link #narrowestPadding}(p), W] or the format is
     *                                  unpadded
     */
    public EncodedExample encode(Problem p, int padWidth) {
        return encode(p, (narrowest, widest) -> padWidth);
    }

    /**
     * As {@link #encode(Problem, int)}, at the width {@code choose} picks from the widths that hold the problem,
     * given as (narrowest, W). Training draws such narrower layouts so that where a digit sits in the sequence does
     * not say which place it is; the answer is computed once for the range and the encoding.
     */
    public EncodedExample encode(Problem p, IntBinaryOperator choose) {
        if (!format.padded()) {
            throw new IllegalArgumentException("an unpadded format has no padding width to choose");
        }
        BigInteger answer = task.apply(p.a(), p.b());
        int lo = narrowestPadding(p, answer);
        int padWidth = choose.applyAsInt(lo, format.width());
        if (padWidth < lo || padWidth > format.width()) {
            throw new IllegalArgumentException("padding width " + padWidth + " is outside " + lo + ".."
                    + format.width() + " for " + p);
        }
        return encodeWritten(p, answer, padWidth, answerPadding[padWidth]);
    }

    /**
     * The answer's padding when the operands are padded to {@code padWidth} (computed once per width, in the
     * constructor: training encodes every example through it). A modular answer's width comes from p,
     * not from W, so it keeps answerWidth: narrowing it would move the answer's places with the width drawn, when
     * only where the operands sit should vary. Otherwise answerWidth less the digits by which the widest answer
     * shrinks from W-digit to padWidth-digit operands (one per operand digit for addition, two for multiplication),
     * so that every answer place keeps its significance relative to the operands' (position coupling needs that).
     */
    private int answerPaddingAt(int padWidth) {
        if (task.op().isModular()) {
            return format.answerWidth();
        }
        return format.answerWidth() - (task.maxAnswerDigits(format.width()) - task.maxAnswerDigits(padWidth));
    }

    /**
     * The narrowest operand padding of a padded format that still holds the problem: its operands' digits, and an
     * answer that fits the padding {@link #answerPaddingAt} gives it there (for position coupling, every answer digit
     * then has operand places of its significance).
     */
    public int narrowestPadding(Problem p) {
        return narrowestPadding(p, task.apply(p.a(), p.b()));
    }

    private int narrowestPadding(Problem p, BigInteger answer) {
        int digits = Math.max(Radix.digitCount(p.a(), task.base()), Radix.digitCount(p.b(), task.base()));
        int answerDigits = Radix.digitCount(answer, task.base());
        int w = Math.max(1, digits);
        while (w < format.width() && answerPadding[w] < answerDigits) {
            w++;
        }
        return w;
    }

    private EncodedExample encodeWritten(Problem p, BigInteger answer, int operandPad, int answerPad) {
        String a = operand(p.a(), operandPad);
        String b = operand(p.b(), operandPad);
        String c = writeAnswer(answer, answerPad);
        int n = 1 + a.length() + 1 + b.length() + 1 + c.length() + 1 + 1;
        int[] tokens = new int[n];
        float[] mask = new float[n];
        int[] place = new int[n];
        int[] number = new int[n];
        int i = 0;
        tokens[i] = vocabulary.bos();
        number[i++] = EncodedExample.OTHER;
        i = putNumber(a, format.reverseOperands(), EncodedExample.FIRST_OPERAND, tokens, place, number, i);
        tokens[i] = vocabulary.operatorId();
        number[i++] = EncodedExample.OTHER;
        i = putNumber(b, format.reverseOperands(), EncodedExample.SECOND_OPERAND, tokens, place, number, i);
        tokens[i] = vocabulary.equalsId();
        number[i++] = EncodedExample.OTHER;
        int answerStart = i;
        i = putNumber(c, format.reverseAnswer(), EncodedExample.ANSWER, tokens, place, number, i);
        tokens[i] = vocabulary.separatorId();
        number[i++] = EncodedExample.OTHER;
        tokens[i] = vocabulary.eos();
        number[i++] = EncodedExample.OTHER;
        for (int k = answerStart; k < n; k++) {
            mask[k] = 1f;
        }
        return new EncodedExample(tokens, answerStart, mask, place, number);
    }

    private int putNumber(String written, boolean reversed, int which, int[] tokens, int[] place, int[] number,
                          int at) {
        int len = written.length();
        for (int k = 0; k < len; k++) {
            tokens[at] = vocabulary.id(written.charAt(k));
            place[at] = reversed ? k + 1 : len - k;
            number[at] = which;
            at++;
        }
        return at;
    }

    /**
     * The generated answer characters up to (not including) the first ';' or {@code <eos>}; other non-digit tokens
     * are kept as their symbols (so {@link #parseAnswer} rejects them), ids outside the vocabulary as '?'.
     */
    public String decodeAnswer(int[] generatedIds) {
        StringBuilder s = new StringBuilder();
        for (int id : generatedIds) {
            if (id == vocabulary.separatorId() || id == vocabulary.eos()) {
                break;
            }
            s.append(id >= 0 && id < vocabulary.size() ? vocabulary.symbol(id) : '?');
        }
        return s.toString();
    }

    /** The number an answer written in this format stands for, or null when it is empty or not all digits. */
    public BigInteger parseAnswer(String answerAsWritten) {
        if (answerAsWritten == null || answerAsWritten.isEmpty()) {
            return null;
        }
        for (int i = 0; i < answerAsWritten.length(); i++) {
            if (Radix.digitValue(answerAsWritten.charAt(i), task.base()) < 0) {
                return null;
            }
        }
        String msbFirst = format.reverseAnswer()
                ? new StringBuilder(answerAsWritten).reverse().toString() : answerAsWritten;
        return new BigInteger(msbFirst.toLowerCase(Locale.ROOT), task.base());
    }

    /**
     * The most tokens (with {@code <bos>} and {@code <eos>}) of an encoded example whose operands have at most
     * maxDigits digits: 2W + answerWidth + 5 when padded.
     */
    public int maxSequenceLength(int maxDigits) {
        if (maxDigits < 1 || maxDigits > format.width()) {
            throw new IllegalArgumentException("maxDigits must be in 1.." + format.width() + " (got " + maxDigits
                    + ")");
        }
        if (format.padded()) {
            return 2 * format.width() + format.answerWidth() + 5;
        }
        return 2 * maxDigits + Math.min(format.answerWidth(), task.maxAnswerDigits(maxDigits)) + 5;
    }

    /** The most tokens a model generates after '=': the answer characters, ';' and {@code <eos>}. */
    public int maxAnswerTokens() {
        return format.answerWidth() + 2;
    }
}

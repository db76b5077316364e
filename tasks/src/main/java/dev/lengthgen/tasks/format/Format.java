package dev.lengthgen.tasks.format;

import dev.lengthgen.tasks.ArithmeticTask;

/**
 * How a problem is written as a character sequence (README, "Data format"). The paper's default, W = 20:
 * {@code 00000000000000000349+00000000000000000705=450100000000000000000;} between {@code <bos>} and {@code <eos>}.
 *
 * @param width           operand width W: operands have at most W digits and, when padded, are written with W
 * @param answerWidth     the most answer digits; when padded the answer is written with exactly this many
 * @param reverseAnswer   answer written least significant digit first (the paper's default)
 * @param reverseOperands operands written least significant digit first (default off)
 * @param padded          zero-pad operands to W and the answer to answerWidth; off gives variable-length sequences
 * @param operator        the operator symbol; the paper writes '+' for every operation
 */
public record Format(int width, int answerWidth, boolean reverseAnswer, boolean reverseOperands, boolean padded,
                     char operator) {

    /** Symbols the operator may not be: digits, '=', ';' and the characters standing for special tokens. */
    static final String RESERVED = "0123456789abcdefABCDEF=;" + Vocabulary.BOS_CHAR + Vocabulary.EOS_CHAR
            + Vocabulary.PAD_CHAR;

    public Format {
        if (width < 1) {
            throw new IllegalArgumentException("width W must be at least 1 (got " + width + ")");
        }
        if (answerWidth < 1) {
            throw new IllegalArgumentException("answer width must be at least 1 (got " + answerWidth + ")");
        }
        if (RESERVED.indexOf(operator) >= 0 || Character.isWhitespace(operator) || operator < 32 || operator > 126) {
            throw new IllegalArgumentException("operator '" + operator + "' is not allowed: use a printable"
                    + " symbol that is not a digit, '=', ';', '" + Vocabulary.BOS_CHAR + "', '" + Vocabulary.EOS_CHAR
                    + "' or '" + Vocabulary.PAD_CHAR + "' (e.g. '+', '*')");
        }
    }

    /**
     * The paper's format for a task at operand width W: answer width = the most digits any answer of two W-digit
     * operands can have (W + 1 for addition, 2W for multiplication, the digits of p - 1 for the modular tasks),
     * reversed answer, plain operands, padded, operator '+'.
     */
    public static Format defaults(ArithmeticTask task, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width W must be at least 1 (got " + width + ")");
        }
        return new Format(width, task.maxAnswerDigits(width), true, false, true, '+');
    }

    public Format withWidth(int w) {
        return new Format(w, answerWidth, reverseAnswer, reverseOperands, padded, operator);
    }

    public Format withAnswerWidth(int aw) {
        return new Format(width, aw, reverseAnswer, reverseOperands, padded, operator);
    }

    public Format withReverseAnswer(boolean r) {
        return new Format(width, answerWidth, r, reverseOperands, padded, operator);
    }

    public Format withReverseOperands(boolean r) {
        return new Format(width, answerWidth, reverseAnswer, r, padded, operator);
    }

    public Format withPadded(boolean p) {
        return new Format(width, answerWidth, reverseAnswer, reverseOperands, p, operator);
    }

    public Format withOperator(char c) {
        return new Format(width, answerWidth, reverseAnswer, reverseOperands, padded, c);
    }

    /** One line for headers: "W=20, answer 21 reversed, padded, '+'". */
    public String describe() {
        return "W=" + width + ", answer " + answerWidth + (reverseAnswer ? " reversed" : " plain")
                + (reverseOperands ? ", operands reversed" : "") + (padded ? ", padded" : ", unpadded")
                + ", '" + operator + "'";
    }
}

package dev.lengthgen.tasks.format;

/**
 * One encoded problem. A model feeds {@code tokens[0..L-2]} as input and predicts {@code tokens[1..L-1]}, masking
 * the loss with {@code lossMask[1..L-1]}.
 *
 * @param tokens      token ids from {@code <bos>} to {@code <eos>} inclusive
 * @param answerStart index in tokens of the first answer token (the one right after '=')
 * @param lossMask    per token: 1 for prediction targets (the answer characters, ';' and {@code <eos>}), else 0
 * @param place       per token: the digit's place within its number, 1 = units (padding zeros included), 0 for
 *                    non-digit tokens; lets position schemes such as Abacus be computed from the data alone
 * @param number      per token: 0 first operand, 1 second operand, 2 answer, -1 anything else
 */
public record EncodedExample(int[] tokens, int answerStart, float[] lossMask, int[] place, int[] number) {
    public static final int FIRST_OPERAND = 0;
    public static final int SECOND_OPERAND = 1;
    public static final int ANSWER = 2;
    public static final int OTHER = -1;

    public int length() {
        return tokens.length;
    }
}

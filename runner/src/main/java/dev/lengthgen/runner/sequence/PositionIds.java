package dev.lengthgen.runner.sequence;

import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.tasks.format.EncodedExample;
import dev.lengthgen.tasks.format.Format;

import java.util.SplittableRandom;

/**
 * The position id of every token under a model's position scheme, for training rows, evaluation prompts and the
 * tokens a decoder feeds back.
 *
 * <ul>
 *   <li>Sequence schemes (ape, sinusoidal, nope, rope, alibi, t5): the token's index 0, 1, 2, ...; with
 *       randomized positions, at training time a sorted random subset of [0, range) instead (Ruoss et al. 2023).</li>
 *   <li>abacus: a digit's id is its place within its own number (1 = units) plus the example's offset; every other
 *       token has id 0. The places come from the data ({@link EncodedExample#place()}).</li>
 *   <li>coupling: operand digits of place p get p + offset, like abacus, but the answer is shifted by one: the token
 *       that predicts the answer digit of place p ('=' for p = 1, else the answer digit of place p - 1) gets
 *       p + offset, the id of the operand digits it has to add (for answers written most significant digit first,
 *       the shift goes the other way). Other tokens get 0.</li>
 * </ul>
 * The offset is drawn per example at training time, uniform in [0, maxOffset], and is 0 at evaluation.
 */
public final class PositionIds {
    private final PositionConfig config;
    private final Format format;

    public PositionIds(PositionConfig config, Format format) {
        if (config.scheme().fromDigitPlaces() && !format.reverseAnswer() && !format.padded()) {
            // The place of a generated digit is only known before the answer ends when it is counted from the units.
            throw new IllegalArgumentException("--pos " + config.scheme().cliName()
                    + " needs the answer's places while it is generated: keep the answer reversed (drop --plain-answer)"
                    + " or keep the padding (drop --no-padding)");
        }
        this.config = config;
        this.format = format;
    }

    public PositionConfig config() {
        return config;
    }

    /** Whether the ids depend on the data (digit places) rather than only on the token's index. */
    public boolean fromDigitPlaces() {
        return config.scheme().fromDigitPlaces();
    }

    /** Evaluation ids of tokens [0, count) of an example (offset 0, no randomization). */
    public int[] evaluation(EncodedExample e, int count) {
        return fromDigitPlaces() ? digitIds(e, count, 0) : sequence(count);
    }

    /**
     * Training ids of a row of T positions (the example's tokens, then right padding, whose ids only need to be
     * valid), with the random offset or position subset drawn from rng.
     */
    public int[] training(EncodedExample e, int T, SplittableRandom rng) {
        if (fromDigitPlaces()) {
            int offset = config.maxOffset() > 0 ? rng.nextInt(config.maxOffset() + 1) : 0;
            return digitIds(e, T, offset);
        }
        return config.randomRange() > 0 ? sortedSubset(T, config.randomRange(), rng) : sequence(T);
    }

    /**
     * Ids of the tokens a decoder feeds back at evaluation: the k-th generated token is the answer's k-th token, so
     * its place is known from the format (k + 1 when the answer is written units first).
     */
    public int[] generated(int promptLength, int count) {
        int[] ids = new int[count];
        for (int k = 0; k < count; k++) {
            ids[k] = fromDigitPlaces() ? answerDigitId(answerPlace(k), 0) : promptLength + k;
        }
        return ids;
    }

    /** The place (1 = units) of the k-th answer token, or 0 past the answer's digits. */
    private int answerPlace(int k) {
        if (format.reverseAnswer()) {
            return format.padded() && k >= format.answerWidth() ? 0 : k + 1;
        }
        return k < format.answerWidth() ? format.answerWidth() - k : 0; // padded (checked in the constructor)
    }

    private int answerDigitId(int place, int offset) {
        if (place == 0) {
            return 0;
        }
        if (config.scheme() != PositionConfig.Scheme.COUPLING) {
            return place + offset;
        }
        // Coupling gives a token the place of the digit it predicts: the next one in writing order.
        return (format.reverseAnswer() ? place + 1 : place - 1) + offset;
    }

    /** coupling's id for '=', which predicts the first answer digit written. */
    private int equalsId(int offset) {
        return (format.reverseAnswer() ? 1 : format.answerWidth()) + offset;
    }

    private int[] digitIds(EncodedExample e, int count, int offset) {
        int[] ids = new int[count];
        int equalsAt = e.answerStart() - 1;
        boolean coupling = config.scheme() == PositionConfig.Scheme.COUPLING;
        for (int t = 0; t < Math.min(count, e.length()); t++) {
            int number = e.number()[t];
            if (number == EncodedExample.ANSWER) {
                ids[t] = answerDigitId(e.place()[t], offset);
            } else if (number != EncodedExample.OTHER) {
                ids[t] = e.place()[t] + offset;
            } else if (coupling && t == equalsAt) {
                ids[t] = equalsId(offset);
            }
        }
        return ids;
    }

    private static int[] sequence(int count) {
        int[] ids = new int[count];
        for (int t = 0; t < count; t++) {
            ids[t] = t;
        }
        return ids;
    }

    /** count distinct ids from [0, range), increasing, every such subset equally likely (selection sampling). */
    static int[] sortedSubset(int count, int range, SplittableRandom rng) {
        int[] ids = new int[count];
        int chosen = 0;
        for (int v = 0; v < range && chosen < count; v++) {
            if (rng.nextInt(range - v) < count - chosen) {
                ids[chosen++] = v;
            }
        }
        return ids;
    }
}

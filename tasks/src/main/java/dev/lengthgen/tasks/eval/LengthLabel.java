package dev.lengthgen.tasks.eval;

import dev.lengthgen.tasks.sampling.DigitSpec;

import java.util.Locale;

/**
 * Where a test length lies relative to the training lengths.
 * <ul>
 *   <li>{@link #ID}: a trained length (the test pairs are unseen pairs of the training domain).</li>
 *   <li>{@link #INWARD}: untrained and shorter than the longest trained length. This includes a gap inside a mix
 *       such as 4 for D_{3,5}: its digits sit at places the model was trained on, which is what the theory's inward
 *       case is about, so it is inward rather than ID.</li>
 *   <li>{@link #OUTWARD}: longer than the longest trained length (the hard case).</li>
 * </ul>
 */
public enum LengthLabel {
    ID, INWARD, OUTWARD;

    /** "id", "inward", "outward". */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LengthLabel of(int digits, DigitSpec train) {
        if (train.contains(digits)) {
            return ID;
        }
        return digits > train.max() ? OUTWARD : INWARD;
    }
}

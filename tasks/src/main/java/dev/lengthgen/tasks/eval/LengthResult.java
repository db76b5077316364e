package dev.lengthgen.tasks.eval;

import java.util.Arrays;

/**
 * The scores of one test length.
 *
 * @param digits   the test length
 * @param label    ID, inward or outward relative to the training lengths
 * @param count    the number of test problems
 * @param exact    the fraction whose whole predicted answer string equals the true one
 * @param fhat     the fraction equal to the truncated function f^ of the training length (docs/ARCHITECTURE.md,
 *                 "The science");
 *                 NaN when no training length was given
 * @param perPlace per answer place, the fraction of problems whose digit there is right; index 0 = place 1 = units
 */
public record LengthResult(int digits, LengthLabel label, int count, double exact, double fhat, double[] perPlace) {

    @Override
    public boolean equals(Object o) {
        return o instanceof LengthResult && ((LengthResult) o).digits == digits && ((LengthResult) o).label == label
                && ((LengthResult) o).count == count
                && Double.compare(((LengthResult) o).exact, exact) == 0
                && Double.compare(((LengthResult) o).fhat, fhat) == 0
                && Arrays.equals(((LengthResult) o).perPlace, perPlace);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(perPlace) * 31 + Double.hashCode(exact) * 7 + digits;
    }

    @Override
    public String toString() {
        return "LengthResult[digits=" + digits + ", label=" + label.cliName() + ", count=" + count + ", exact="
                + exact + ", fhat=" + fhat + ", perPlace=" + Arrays.toString(perPlace) + "]";
    }
}

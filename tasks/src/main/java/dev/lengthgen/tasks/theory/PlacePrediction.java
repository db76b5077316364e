package dev.lengthgen.tasks.theory;

import java.util.Arrays;

/**
 * The predicted per-place accuracy at one test length of an APE addition model that learned f^: the fraction of
 * test pairs whose answer digit at each place equals that of f^ (f^ written with the format's padding, so its
 * places above n + 1 are 0).
 *
 * @param digits   the test length m
 * @param perPlace index 0 = place 1 = units, up to place m + 2 (one past the longest answer)
 * @param method   exact or sampled
 */
public record PlacePrediction(int digits, double[] perPlace, Method method) {
    @Override
    public boolean equals(Object o) {
        return o instanceof PlacePrediction && ((PlacePrediction) o).digits == digits
                && Arrays.equals(((PlacePrediction) o).perPlace, perPlace) && ((PlacePrediction) o).method == method;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(perPlace) * 31 + digits;
    }

    @Override
    public String toString() {
        return "PlacePrediction[digits=" + digits + ", perPlace=" + Arrays.toString(perPlace) + ", method="
                + method.cliName() + "]";
    }
}

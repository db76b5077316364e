package dev.lengthgen.runner.report;

/**
 * One test length of a finished run (an item of result.json's {@code lengths}, as the eval command's result table
 * writes it).
 *
 * @param label     "id", "inward" or "outward"
 * @param count     test problems (null when not recorded)
 * @param fhat      accuracy against f^; null when not measured
 * @param predicted the theory's exact-match accuracy for a model that learned f^; null where it makes no prediction
 * @param perPlace  accuracy per answer place, index 0 = place 1 = units
 */
public record LengthOutcome(int digits, String label, Integer count, double exact, Double fhat, Double predicted,
                            double[] perPlace) {
}

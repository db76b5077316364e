package dev.lengthgen.runner.report;

import java.util.List;

/**
 * The mean of one measurement over seeds, with its range. The report gives min-max rather than a standard
 * deviation: with the handful of seeds an experiment has, the range is what a reader can check against the runs, and
 * length generalization varies across seeds in ways a deviation hides (one seed at 100%, one at 0%).
 *
 * @param n the number of values
 */
public record Spread(double mean, double min, double max, int n) {

    /** The spread of the values, or null when there are none. */
    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new Spread(sum / values.size(), min, max, values.size());
    }
}

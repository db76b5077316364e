package dev.lengthgen.runner.bench;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/** Repeated timings of one measurement: the median is what the benchmarks report, the range shows the noise. */
record Samples(double[] values) {
    Samples {
        if (values.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        values = values.clone();
    }

    double median() {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    double min() {
        return Arrays.stream(values).min().getAsDouble();
    }

    double max() {
        return Arrays.stream(values).max().getAsDouble();
    }

    /** Each value mapped, e.g. seconds to GFLOP/s. */
    Samples map(DoubleUnaryOperator f) {
        return new Samples(Arrays.stream(values).map(f).toArray());
    }
}

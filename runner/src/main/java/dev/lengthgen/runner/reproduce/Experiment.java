package dev.lengthgen.runner.reproduce;

import java.util.List;

/**
 * A named, versioned experiment: what it shows, what the theory expects, and the grid of runs it trains for given
 * options. The version goes up whenever a definition changes what a run trains, so results of different versions are
 * never mixed in one directory.
 *
 * @param defaultModuli the moduli run when --moduli is not given (empty for tasks without a modulus)
 * @param allModuli     the moduli of --moduli all
 */
public record Experiment(String name, int version, String description, String expected, List<Long> defaultModuli,
                         List<Long> allModuli, Planner planner) {

    /** The runs of an experiment for the user's options. */
    @FunctionalInterface
    public interface Planner {
        List<RunPlan> plan(Experiment self, ExperimentOptions options);
    }

    public List<RunPlan> plan(ExperimentOptions options) {
        return planner.plan(this, options);
    }

    /** The moduli the options ask for, or this experiment's default set. */
    public List<Long> moduli(ExperimentOptions options) {
        return options.moduli() != null ? options.moduli() : defaultModuli;
    }

    public boolean hasModuli() {
        return !allModuli.isEmpty();
    }
}

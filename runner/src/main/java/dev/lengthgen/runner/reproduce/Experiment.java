package dev.lengthgen.runner.reproduce;

import java.util.List;

/**
 * A named, versioned experiment: what it shows, what the theory expects, and the grid of runs it trains for given
 * options. The version goes up whenever a definition changes what a run trains, so results of different versions are
 * never mixed in one directory.
 *
 * @param runMinutes    wall minutes one round of two runs of this version takes at tiny scale on 2 cores: its last
 *                      full {@code reproduce}'s wall time divided by its rounds (see {@link ExperimentCatalog#ALL}),
 *                      from which {@link #tinyMinutes} tells a user beforehand what a grid will take
 * @param defaultModuli the moduli run when --moduli is not given (empty for tasks without a modulus)
 * @param allModuli     the moduli of --moduli all
 */
public record Experiment(String name, int version, double runMinutes, String description, String expected,
                         List<Long> defaultModuli, List<Long> allModuli, Planner planner) {
    /** Runs trained at once at tiny scale on a 2-core machine, as {@code reproduce} does by default there. */
    public static final int TINY_JOBS = 2;

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

    /**
     * About how many wall minutes the grid of these options takes at tiny scale on 2 cores: one run's measured time
     * for each round of {@link #TINY_JOBS} runs (a partial last round takes a whole one).
     */
    public double tinyMinutes(ExperimentOptions options) {
        int runs = plan(options).size();
        return Math.ceil(runs / (double) TINY_JOBS) * runMinutes;
    }

    public boolean hasModuli() {
        return !allModuli.isEmpty();
    }
}

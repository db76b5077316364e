package dev.lengthgen.runner.report;

import dev.lengthgen.runner.cli.UsageException;

/**
 * What a run of an experiment is (its plan.json): the model label it belongs to and the settings that tell runs
 * apart. Runs that differ only by seed share a {@code group}; a group is one row of the report's tables.
 *
 * @param modulus null for plain addition and multiplication
 */
public record RunPlan(String id, String group, String task, Integer modulus, int base, String pos, long seed,
                      String trainDigits, String testDigits) {

    static RunPlan read(JsonFile f) throws UsageException {
        Double seed = f.optionalDouble("seed");
        if (seed == null) {
            throw f.missing("seed", "a whole number");
        }
        Integer base = f.optionalInteger("base");
        return new RunPlan(f.string("id"), f.string("group"), f.string("task"), f.optionalInteger("modulus"),
                base == null ? 10 : base, f.optionalString("pos"), seed.longValue(), f.string("train_digits"),
                f.optionalString("test_digits"));
    }
}

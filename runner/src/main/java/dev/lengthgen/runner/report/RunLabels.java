package dev.lengthgen.runner.report;

import com.google.gson.JsonObject;
import dev.lengthgen.runner.cli.UsageException;

/**
 * The labels of a run of an experiment (its plan.json): the model label it belongs to and the settings that tell
 * runs apart. Runs that differ only by seed share a {@code group}; a group is one row of the report's tables.
 * (reproduce's {@code RunPlan} is the whole plan of a run, these labels and its training flags.)
 *
 * @param modulus null for plain addition and multiplication
 */
public record RunLabels(String id, String group, String task, Long modulus, int base, String pos, long seed,
                        String trainDigits, String testDigits) {

    /** plan.json as {@link #read} reads it. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("group", group);
        o.addProperty("task", task);
        o.addProperty("modulus", modulus);
        o.addProperty("base", base);
        o.addProperty("pos", pos);
        o.addProperty("seed", seed);
        o.addProperty("train_digits", trainDigits);
        o.addProperty("test_digits", testDigits);
        return o;
    }

    static RunLabels read(JsonFile f) throws UsageException {
        Double seed = f.optionalDouble("seed");
        if (seed == null) {
            throw f.missing("seed", "a whole number");
        }
        Integer base = f.optionalInteger("base");
        Double modulus = f.optionalDouble("modulus");
        return new RunLabels(f.string("id"), f.string("group"), f.string("task"),
                modulus == null ? null : modulus.longValue(),
                base == null ? 10 : base, f.optionalString("pos"), seed.longValue(), f.string("train_digits"),
                f.optionalString("test_digits"));
    }
}

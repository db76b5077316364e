package dev.lengthgen.runner.reproduce;

import com.google.gson.JsonObject;
import dev.lengthgen.runner.report.RunLabels;

import java.util.List;

/**
 * One training run of an experiment: its folder under runs/, the model group it belongs to (runs that differ only by
 * seed share a group and become one row of the report), the labels the report needs, and the flags of
 * {@code lengthgen train} that define it.
 *
 * @param id        folder name under DIR/runs, unique in the experiment (e.g. "p101-seed2")
 * @param group     the row label shared by all seeds of one configuration (e.g. "p=101")
 * @param modulus   the modulus, or null for plain addition and multiplication
 * @param trainArgs the flags of {@code lengthgen train}, without --out and without where it runs
 * @param evalCount test problems per length in the final evaluation
 */
public record RunPlan(String id, String group, String task, Long modulus, int base, String pos, long seed,
                      String trainDigits, String testDigits, List<String> trainArgs, int evalCount) {

    /** plan.json: the run's labels, written by the report's own definition of that file. */
    public JsonObject toJson() {
        JsonObject o = new RunLabels(id, group, task, modulus, base, pos, seed, trainDigits, testDigits).toJson();
        o.addProperty("eval_count", evalCount);
        return o;
    }
}

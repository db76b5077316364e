package dev.lengthgen.runner.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line of a run's metrics.jsonl. Every line has the training loss; evaluation lines also have the validation
 * loss, the in-distribution exact match and the exact match (and accuracy against f^) per test length. Fields a
 * line lacks are null or empty: older runs did not log f^.
 *
 * @param acc  test length to exact-match accuracy on the run's fixed evaluation sample
 * @param fhat test length to accuracy against the truncated function f^
 */
public record MetricsPoint(int step, Double loss, Double valLoss, Double exact, Map<Integer, Double> acc,
                           Map<Integer, Double> fhat) {

    /** The line as a point, or null when it has no step (then it is no metrics line at all). */
    static MetricsPoint of(JsonObject o) {
        Double step = JsonFile.number(o.get("step"));
        if (step == null) {
            return null;
        }
        return new MetricsPoint(step.intValue(), JsonFile.number(o.get("loss")), JsonFile.number(o.get("val_loss")),
                JsonFile.number(o.get("exact")), byLength(o.get("acc")), byLength(o.get("fhat")));
    }

    boolean isEvaluation() {
        return exact != null || !acc.isEmpty();
    }

    private static Map<Integer, Double> byLength(JsonElement e) {
        if (e == null || !e.isJsonObject()) {
            return Map.of();
        }
        Map<Integer, Double> out = new TreeMap<>();
        for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
            Double v = JsonFile.number(entry.getValue());
            try {
                if (v != null) {
                    out.put(Integer.parseInt(entry.getKey().trim()), v);
                }
            } catch (NumberFormatException ignored) {
                // A key that is no test length is not ours to plot.
            }
        }
        return Collections.unmodifiableMap(out);
    }
}

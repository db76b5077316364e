package dev.lengthgen.runner.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.lengthgen.runner.cli.UsageException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A finished run's result.json: the step it stopped at, how long it took, and its scores per test length. */
public record RunResult(int step, Double wallSeconds, List<LengthOutcome> lengths) {

    static RunResult read(JsonFile f) throws UsageException {
        JsonElement lengths = f.root().get("lengths");
        if (lengths == null || !lengths.isJsonArray()) {
            throw f.missing("lengths", "an array of test lengths");
        }
        List<LengthOutcome> out = new ArrayList<>();
        for (JsonElement e : lengths.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw f.missing("lengths", "an array of objects");
            }
            JsonObject o = e.getAsJsonObject();
            Double digits = JsonFile.number(o.get("digits"));
            Double exact = JsonFile.number(o.get("exact"));
            if (digits == null) {
                throw f.missing("lengths[].digits", "numbers");
            }
            if (exact == null) {
                continue; // a length with no unseen pair to test has no measurement
            }
            JsonElement label = o.get("label");
            Double count = JsonFile.number(o.get("count"));
            out.add(new LengthOutcome(digits.intValue(),
                    label != null && label.isJsonPrimitive() ? label.getAsString() : "",
                    count == null ? null : count.intValue(), exact, JsonFile.number(o.get("fhat")),
                    JsonFile.number(o.get("predicted")), perPlace(o.get("per_place"))));
        }
        out.sort(Comparator.comparingInt(LengthOutcome::digits));
        Integer step = f.optionalInteger("step");
        return new RunResult(step == null ? 0 : step, f.optionalDouble("wall_s"), List.copyOf(out));
    }

    /** Per-place accuracies; a place with no number (null) reads as NaN and is left out of means. */
    private static double[] perPlace(JsonElement e) {
        if (e == null || !e.isJsonArray()) {
            return new double[0];
        }
        double[] out = new double[e.getAsJsonArray().size()];
        for (int i = 0; i < out.length; i++) {
            Double v = JsonFile.number(e.getAsJsonArray().get(i));
            out[i] = v == null ? Double.NaN : v;
        }
        return out;
    }
}

package dev.lengthgen.runner.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A synthetic experiment folder as 'lengthgen reproduce' writes it: two groups of two finished seeds each (trained
 * on 1-2 digits, tested on 1-3), plus a third seed of the second group that is still running.
 *
 * <p>Group p=100: exact at 3 digits 0.90 and 0.80 (mean 0.85), f^ 0.91 and 0.85, prediction 1.0 everywhere.
 * Group p=101: exact at 3 digits 0.02 and 0.00, f^ 0.97 for the first seed and not measured for the second (an
 * older run), no prediction at 3 digits.
 */
final class ExperimentFixture {
    static final Gson GSON = new GsonBuilder().serializeNulls().create();
    static final List<String> RUNS = List.of("p100-s0", "p100-s1", "p101-s0", "p101-s1", "p101-s2");

    private ExperimentFixture() {
    }

    static Path write(Path dir) throws IOException {
        JsonObject e = new JsonObject();
        e.addProperty("experiment", "modular-addition");
        e.addProperty("version", 1);
        e.addProperty("scale", "tiny");
        e.addProperty("description", "Modular addition mod p with absolute positions, trained on 1-2 digits.");
        e.addProperty("expected", "p = 100 divides 10^2: outward perfect; p = 101 does not: outward near 1/101.");
        JsonArray runs = new JsonArray();
        RUNS.forEach(runs::add);
        e.add("runs", runs);
        Files.writeString(dir.resolve("experiment.json"), GSON.toJson(e));

        run(dir, "p100-s0", "p=100", 100, 0,
                result(new double[] {1.0, 0.98, 0.90}, new Double[] {1.0, 0.98, 0.91}, new Double[] {1.0, 1.0, 1.0}));
        run(dir, "p100-s1", "p=100", 100, 1,
                result(new double[] {1.0, 0.96, 0.80}, new Double[] {1.0, 0.96, 0.85}, new Double[] {1.0, 1.0, 1.0}));
        run(dir, "p101-s0", "p=101", 101, 0,
                result(new double[] {1.0, 0.99, 0.02}, new Double[] {1.0, 0.99, 0.97}, new Double[] {1.0, 1.0, null}));
        run(dir, "p101-s1", "p=101", 101, 1,
                result(new double[] {1.0, 0.97, 0.00}, new Double[] {null, null, null}, new Double[] {1.0, 1.0, null}));
        run(dir, "p101-s2", "p=101", 101, 2, null);
        return dir;
    }

    /** A run folder: plan.json, config.json, metrics.jsonl and, when result is not null, result.json. */
    static void run(Path dir, String id, String group, Integer modulus, int seed, JsonObject result)
            throws IOException {
        Path run = Files.createDirectories(dir.resolve("runs").resolve(id));
        JsonObject plan = new JsonObject();
        plan.addProperty("id", id);
        plan.addProperty("group", group);
        plan.addProperty("task", "mod-add");
        plan.addProperty("modulus", modulus);
        plan.addProperty("base", 10);
        plan.addProperty("pos", "ape");
        plan.addProperty("seed", seed);
        plan.addProperty("train_digits", "1-2");
        plan.addProperty("test_digits", "1-3");
        Files.writeString(run.resolve("plan.json"), GSON.toJson(plan));

        JsonObject config = new JsonObject();
        config.addProperty("task", "mod-add");
        config.addProperty("base", 10);
        config.addProperty("modulus", modulus);
        config.add("model", GSON.toJsonTree(Map.of("layers", 2, "heads", 4, "dim", 64)));
        config.addProperty("steps", 40);
        Files.writeString(run.resolve("config.json"), GSON.toJson(config));

        List<String> lines = new ArrayList<>();
        int last = result == null ? 20 : 40;
        for (int step = 1; step <= last; step++) {
            JsonObject m = new JsonObject();
            m.addProperty("step", step);
            m.addProperty("loss", 2.0 / step + 0.01 * seed);
            m.addProperty("lr", 1e-3);
            m.addProperty("tokens_per_s", 1000);
            if (step % 10 == 0) {
                m.addProperty("val_loss", 2.5 / step);
                m.addProperty("exact", step / 40.0);
                m.add("acc", GSON.toJsonTree(Map.of("1", step / 40.0, "2", step / 50.0, "3", seed * 0.01)));
                if (step != 10) { // the first evaluation logged no f^, as older runs did not
                    m.add("fhat", GSON.toJsonTree(Map.of("1", step / 40.0, "2", step / 50.0, "3", step / 45.0)));
                }
            }
            lines.add(GSON.toJson(m));
        }
        if (result == null) {
            lines.add("{\"step\": 21, \"loss\": 0.0"); // the line a running trainer is still writing
        }
        Files.write(run.resolve("metrics.jsonl"), lines);
        if (result != null) {
            Files.writeString(run.resolve("result.json"), GSON.toJson(result));
        }
    }

    /** result.json for test lengths 1..3 (1 and 2 trained, 3 outward), per place derived from the exact match. */
    static JsonObject result(double[] exact, Double[] fhat, Double[] predicted) {
        JsonObject r = new JsonObject();
        r.addProperty("step", 40);
        r.addProperty("wall_s", 12.5);
        JsonArray lengths = new JsonArray();
        for (int i = 0; i < exact.length; i++) {
            JsonObject l = new JsonObject();
            l.addProperty("digits", i + 1);
            l.addProperty("label", i < 2 ? "id" : "outward");
            l.addProperty("count", 100);
            l.addProperty("exact", exact[i]);
            l.addProperty("fhat", fhat[i]);
            l.addProperty("predicted", predicted[i]);
            JsonArray places = new JsonArray();
            places.add(1.0);
            places.add(exact[i]);
            places.add(1.0);
            l.add("per_place", places);
            lengths.add(l);
        }
        r.add("lengths", lengths);
        return r;
    }
}

package dev.lengthgen.runner.run;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.cli.UsageException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a run describes itself, in config.json and in every checkpoint's "lengthgen.run" metadata: the flags it was
 * started with ("args", from which everything is rebuilt) and the settings they resolve to (for people and other
 * tools to read). Reading a description back checks that the two agree, so an edited or corrupt file is refused
 * instead of silently training or evaluating something else.
 */
public final class RunDescription {
    /** config.json's layout. */
    static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    /** A checkpoint's metadata: one line. */
    private static final Gson COMPACT = new Gson();
    /** Fields that are not what a run computes: its flags' text, its step budget, and where it computed. */
    private static final Set<String> NOT_IDENTITY = Set.of("args", "steps", "backend");

    private RunDescription() {
    }

    /** A stored description read back: the flags as stored, and the settings they give (default placement). */
    public record Stored(List<String> args, TrainSettings settings) {
    }

    /** config.json: the flags (to resume) and the resolved settings (to read). */
    public static String configJson(TrainSettings s) {
        return PRETTY.toJson(of(s));
    }

    /** The "lengthgen.run" metadata of a checkpoint: the same description on one line. */
    static String metadata(TrainSettings s) {
        return COMPACT.toJson(of(s));
    }

    static JsonObject of(TrainSettings s) {
        JsonObject o = new JsonObject();
        JsonArray args = new JsonArray();
        s.args().forEach(args::add);
        o.add("args", args);
        o.addProperty("task", s.task().op().cliName());
        o.addProperty("base", s.task().base());
        if (s.task().modulus() > 0) {
            o.addProperty("modulus", s.task().modulus());
        }
        o.add("format", PRETTY.toJsonTree(s.format()));
        o.addProperty("train_digits", s.train().toString());
        o.addProperty("test_digits", s.test().toString());
        o.addProperty("sampler", s.sampler().cliName());
        o.addProperty("train_size", s.trainSize());
        o.addProperty("balance_lengths", s.balanceLengths());
        o.addProperty("random_padding", s.randomPadding().narrower());
        o.addProperty("random_padding_share", s.randomPadding().share());
        o.add("model", PRETTY.toJsonTree(s.model()));
        o.addProperty("steps", s.steps());
        o.addProperty("batch", s.batch());
        o.add("schedule", PRETTY.toJsonTree(s.schedule()));
        o.add("adamw", PRETTY.toJsonTree(s.adamw()));
        o.addProperty("seed", s.seed());
        o.addProperty("backend", s.backend());
        return o;
    }

    /**
     * Reads a stored description: its flags must parse (where the run computed left out: each invocation chooses
     * that), and every resolved setting it records must be what those flags give.
     *
     * @param source names it in messages ("runs/a/config.json", "runs/a/latest.safetensors's lengthgen.run")
     * @param fix    what the user should do when it is broken
     */
    public static Stored read(JsonElement description, String source, String fix) throws UsageException {
        if (!description.isJsonObject()) {
            throw new UsageException(source + " is not a run description (a JSON object): " + fix);
        }
        JsonObject o = description.getAsJsonObject();
        JsonElement argsElement = o.get("args");
        List<String> args = new ArrayList<>();
        if (argsElement == null || !argsElement.isJsonArray()) {
            throw new UsageException(source + " has no list of the run's flags (args): " + fix);
        }
        for (JsonElement a : argsElement.getAsJsonArray()) {
            if (!a.isJsonPrimitive() || !a.getAsJsonPrimitive().isString()) {
                throw new UsageException(source + " has a flag that is not text in its args (" + a + "): " + fix);
            }
            args.add(a.getAsString());
        }
        TrainSettings settings;
        try {
            settings = RunFlags.parse(RunFlags.without(args, RunFlags.PLACEMENT));
        } catch (UsageException e) {
            throw new UsageException(source + " holds flags that do not make a run (" + e.getMessage() + "): " + fix);
        }
        JsonObject canonical = reparsed(of(settings));
        for (Map.Entry<String, JsonElement> field : canonical.entrySet()) {
            String key = field.getKey();
            JsonElement stored = o.get(key);
            if (key.equals("args") || key.equals("backend") || stored == null) { // absent: written by an older version
                continue;
            }
            if (!COMPACT.toJson(stored).equals(COMPACT.toJson(field.getValue()))) {
                throw new UsageException(source + " says " + key + " is " + COMPACT.toJson(stored) + " but its flags"
                        + " (args) make it " + COMPACT.toJson(field.getValue())
                        + ": the file was edited or is corrupt; " + fix);
            }
        }
        return new Stored(args, settings);
    }

    /**
     * The first setting in which two runs differ, as "model.dim 32, not 16"; null when they are the same run (their
     * step budgets and where they compute aside).
     */
    public static String difference(TrainSettings a, TrainSettings b) {
        return difference("", identity(a), identity(b));
    }

    private static JsonObject identity(TrainSettings s) {
        JsonObject o = of(s);
        // What the description leaves to the flags but the run's metrics and best checkpoint depend on.
        o.addProperty("test_sampler", s.testSampler().cliName());
        o.addProperty("eval_every", s.evalEvery());
        o.addProperty("log_every", s.logEvery());
        o.addProperty("eval_samples", s.evalSamples());
        o = reparsed(o);
        NOT_IDENTITY.forEach(o::remove);
        o.getAsJsonObject("schedule").remove("totalSteps"); // the cosine follows the budget, which may grow
        return o;
    }

    private static String difference(String prefix, JsonObject a, JsonObject b) {
        Set<String> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            JsonElement x = a.get(k), y = b.get(k);
            if (x != null && y != null && x.isJsonObject() && y.isJsonObject()) {
                String d = difference(prefix + k + ".", x.getAsJsonObject(), y.getAsJsonObject());
                if (d != null) {
                    return d;
                }
            } else if (!COMPACT.toJson(x).equals(COMPACT.toJson(y))) {
                return prefix + k + " " + COMPACT.toJson(x) + ", not " + COMPACT.toJson(y);
            }
        }
        return null;
    }

    /** The JSON as read back from its text, so numbers compare as written ("0.003", not the float's double). */
    private static JsonObject reparsed(JsonObject o) {
        return JsonParser.parseString(COMPACT.toJson(o)).getAsJsonObject();
    }
}

package dev.lengthgen.runner.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import java.util.List;

/**
 * summary.json: the whole experiment for machines. Top level: {@code experiment}, {@code version}, {@code scale},
 * {@code finished} / {@code total} run counts, {@code runs} (every run with its plan, state and scores per test
 * length), {@code groups} (mean and range over seeds per length, as the tables show them), {@code pending} (ids of
 * unfinished runs) and {@code warnings} (e.g. charts that could not be drawn). Missing values are null, never
 * absent, so readers need not guess.
 */
public final class SummaryJson {
    private static final Gson GSON = new GsonBuilder().serializeNulls().setPrettyPrinting().create();

    private SummaryJson() {
    }

    public static String of(ExperimentRecord e, List<GroupSummary> groups, List<String> warnings) {
        JsonObject o = new JsonObject();
        o.addProperty("experiment", e.name());
        o.addProperty("version", e.version());
        o.addProperty("scale", e.scale());
        o.addProperty("finished", e.finishedCount());
        o.addProperty("total", e.runs().size());
        JsonArray runs = new JsonArray();
        e.runs().forEach(r -> runs.add(run(r)));
        o.add("runs", runs);
        JsonArray groupArray = new JsonArray();
        groups.forEach(g -> groupArray.add(group(g)));
        o.add("groups", groupArray);
        JsonArray pending = new JsonArray();
        e.pending().forEach(r -> pending.add(r.id()));
        o.add("pending", pending);
        JsonArray warn = new JsonArray();
        warnings.forEach(warn::add);
        o.add("warnings", warn);
        return GSON.toJson(o) + "\n";
    }

    private static JsonObject run(RunRecord r) {
        RunLabels p = r.plan();
        JsonObject o = new JsonObject();
        o.addProperty("id", r.id());
        o.addProperty("group", p == null ? null : p.group());
        o.addProperty("task", p == null ? null : p.task());
        o.addProperty("modulus", p == null ? null : p.modulus());
        o.addProperty("base", p == null ? null : p.base());
        o.addProperty("pos", p == null ? null : p.pos());
        o.addProperty("seed", p == null ? null : p.seed());
        o.addProperty("train_digits", p == null ? null : p.trainDigits());
        o.addProperty("test_digits", p == null ? null : p.testDigits());
        o.addProperty("model", r.model());
        o.addProperty("finished", r.finished());
        o.addProperty("step", r.lastStep());
        o.addProperty("steps", r.plannedSteps());
        o.addProperty("wall_s", r.finished() ? r.result().wallSeconds() : null);
        JsonArray lengths = new JsonArray();
        if (r.finished()) {
            for (LengthOutcome l : r.result().lengths()) {
                JsonObject lo = new JsonObject();
                lo.addProperty("digits", l.digits());
                lo.addProperty("label", l.label());
                lo.addProperty("count", l.count());
                lo.addProperty("exact", l.exact());
                lo.addProperty("fhat", l.fhat());
                lo.addProperty("predicted", l.predicted());
                lo.add("per_place", numbers(l.perPlace()));
                lengths.add(lo);
            }
        }
        o.add("lengths", lengths);
        return o;
    }

    private static JsonObject group(GroupSummary g) {
        JsonObject o = new JsonObject();
        o.addProperty("group", g.name());
        JsonArray ids = new JsonArray();
        g.runs().forEach(r -> ids.add(r.id()));
        o.add("runs", ids);
        o.addProperty("finished", g.finishedRuns().size());
        JsonArray lengths = new JsonArray();
        for (LengthSummary l : g.lengths()) {
            JsonObject lo = new JsonObject();
            lo.addProperty("digits", l.digits());
            lo.addProperty("label", l.label());
            lo.addProperty("seeds", l.seeds());
            spread(lo, "exact", l.exact());
            spread(lo, "fhat", l.fhat());
            lo.addProperty("predicted", l.predicted());
            lo.add("per_place", numbers(l.perPlace()));
            lengths.add(lo);
        }
        o.add("lengths", lengths);
        return o;
    }

    private static void spread(JsonObject o, String name, Spread s) {
        o.addProperty(name + "_mean", s == null ? null : s.mean());
        o.addProperty(name + "_min", s == null ? null : s.min());
        o.addProperty(name + "_max", s == null ? null : s.max());
    }

    /** NaN (a place no seed has) becomes null: JSON has no NaN. */
    private static JsonArray numbers(double[] values) {
        JsonArray a = new JsonArray();
        for (double v : values) {
            if (Double.isNaN(v)) {
                a.add(JsonNull.INSTANCE);
            } else {
                a.add(v);
            }
        }
        return a;
    }
}

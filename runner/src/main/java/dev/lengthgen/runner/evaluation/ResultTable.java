package dev.lengthgen.runner.evaluation;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.lengthgen.tasks.eval.LengthResult;

import java.util.List;
import java.util.Locale;

/** An evaluation's rows as a human table, CSV and JSON (the `lengths` array of `lengthgen eval --json`). */
public final class ResultTable {
    private ResultTable() {
    }

    public static String human(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%6s  %-8s %6s  %8s  %8s  %9s  %s%n", "digits", "label", "count", "exact",
                "f^", "theory", "per place (units first)"));
        for (Evaluation.Row row : rows) {
            LengthResult r = row.result();
            StringBuilder places = new StringBuilder();
            for (double p : r.perPlace()) {
                places.append(String.format(Locale.ROOT, " %3.0f", 100 * p));
            }
            sb.append(String.format(Locale.ROOT, "%6d  %-8s %6d  %s  %s  %s  %s%n", r.digits(), r.label().cliName(),
                    r.count(), percent(r.exact(), 7), percent(r.fhat(), 7), percent(row.predicted(), 8), places));
        }
        return sb.toString();
    }

    private static String percent(double v, int width) {
        return Double.isNaN(v) ? String.format("%" + (width + 1) + "s", "-")
                : String.format(Locale.ROOT, "%" + width + ".2f%%", 100 * v);
    }

    public static String csv(List<Evaluation.Row> rows) {
        int places = 0;
        for (Evaluation.Row row : rows) {
            places = Math.max(places, row.result().perPlace().length);
        }
        StringBuilder sb = new StringBuilder("digits,label,count,exact,fhat,predicted");
        for (int p = 1; p <= places; p++) {
            sb.append(",place").append(p);
        }
        sb.append('\n');
        for (Evaluation.Row row : rows) {
            LengthResult r = row.result();
            sb.append(r.digits()).append(',').append(r.label().cliName()).append(',').append(r.count()).append(',')
                    .append(num(r.exact())).append(',').append(num(r.fhat())).append(',').append(num(row.predicted()));
            for (int p = 0; p < places; p++) {
                sb.append(',').append(p < r.perPlace().length ? num(r.perPlace()[p]) : "");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    public static JsonArray json(List<Evaluation.Row> rows) {
        JsonArray lengths = new JsonArray();
        for (Evaluation.Row row : rows) {
            LengthResult r = row.result();
            JsonObject o = new JsonObject();
            o.addProperty("digits", r.digits());
            o.addProperty("label", r.label().cliName());
            o.addProperty("count", r.count());
            add(o, "exact", r.exact());
            add(o, "fhat", r.fhat());
            add(o, "predicted", row.predicted());
            JsonArray places = new JsonArray();
            for (double p : r.perPlace()) {
                places.add(p);
            }
            o.add("per_place", places);
            lengths.add(o);
        }
        return lengths;
    }

    private static void add(JsonObject o, String key, double v) {
        if (Double.isNaN(v)) {
            o.add(key, JsonNull.INSTANCE);
        } else {
            o.addProperty(key, v);
        }
    }
}

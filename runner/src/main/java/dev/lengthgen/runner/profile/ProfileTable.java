package dev.lengthgen.runner.profile;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.lengthgen.engine.graph.Profile;
import dev.lengthgen.engine.graph.Task;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-task profile as a table: task name, calls, total milliseconds, share of the whole, and the achieved rate
 * (GFLOP/s where the task's floating-point work is known, else GB/s where the bytes it moves are known).
 * Built from an engine {@link Profile} (device or wall-clock time per task) and the graph's {@link Task}s (their
 * work per call).
 */
public final class ProfileTable {

    /**
     * One task.
     *
     * @param flops floating-point operations per call (0 when unknown)
     * @param bytes bytes moved per call (0 when unknown)
     */
    public record Row(String task, long calls, long nanos, double flops, double bytes) {
        public double millis() {
            return nanos / 1e6;
        }

        /** GFLOP/s over all calls, or NaN when the work is unknown. */
        public double gflopsPerSecond() {
            return flops > 0 && nanos > 0 ? flops * calls / nanos : Double.NaN;
        }

        /** GB/s over all calls, or NaN when the traffic is unknown. */
        public double gigabytesPerSecond() {
            return bytes > 0 && nanos > 0 ? bytes * calls / nanos : Double.NaN;
        }
    }

    private final String title;
    private final String what;
    private final List<Row> rows;
    private final long totalNanos;

    private ProfileTable(String title, String what, List<Row> rows) {
        this.title = title;
        this.what = what;
        this.rows = List.copyOf(rows);
        this.totalNanos = rows.stream().mapToLong(Row::nanos).sum();
    }

    /** The profile's tasks in the order they first ran, with the work the graph's tasks declare. */
    public static ProfileTable of(String title, Profile profile, Collection<Task> tasks) {
        Map<String, Task> byName = new HashMap<>();
        for (Task t : tasks) {
            byName.put(t.name(), t);
        }
        List<Row> rows = new ArrayList<>();
        for (Profile.Entry e : profile.entries()) {
            Task t = byName.get(e.task());
            rows.add(new Row(e.task(), e.calls(), e.nanos(), t == null ? 0 : t.flops(), t == null ? 0 : t.bytes()));
        }
        return new ProfileTable(title, "task", rows);
    }

    /** Device time per OpenCL kernel (no work known per kernel, so no rates), largest first. */
    public static ProfileTable ofKernels(String title, Profile byKernel) {
        List<Row> rows = new ArrayList<>();
        for (Profile.Entry e : byKernel.entries()) {
            rows.add(new Row(e.task(), e.calls(), e.nanos(), 0, 0));
        }
        rows.sort(Comparator.comparingLong(Row::nanos).reversed());
        return new ProfileTable(title, "kernel", rows);
    }

    /**
     * The same time summed per kind of task: the "layerN." prefix is dropped, so "layer0.qkv.fwd" and
     * "layer3.qkv.fwd" become one row "qkv.fwd" (its calls and work summed). Sorted by time, largest first.
     */
    public ProfileTable byOp() {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Row r : rows) {
            String op = r.task().replaceFirst("^layer\\d+\\.", "");
            double[] s = sums.computeIfAbsent(op, k -> new double[4]);
            s[0] += r.calls();
            s[1] += r.nanos();
            s[2] += r.flops() * r.calls();
            s[3] += r.bytes() * r.calls();
        }
        List<Row> merged = new ArrayList<>();
        sums.forEach((op, s) -> merged.add(new Row(op, (long) s[0], (long) s[1], s[0] > 0 ? s[2] / s[0] : 0,
                s[0] > 0 ? s[3] / s[0] : 0)));
        merged.sort(Comparator.comparingLong(Row::nanos).reversed());
        return new ProfileTable(title + ", by op", "op", merged);
    }

    public List<Row> rows() {
        return rows;
    }

    public long totalNanos() {
        return totalNanos;
    }

    /** The share of the table's total time a row takes, in [0, 1]. */
    public double share(Row r) {
        return totalNanos > 0 ? r.nanos() / (double) totalNanos : 0;
    }

    /** A fixed-width text table with a total line. */
    public String toText() {
        int width = Math.max(24, rows.stream().mapToInt(r -> r.task().length()).max().orElse(0));
        StringBuilder b = new StringBuilder();
        b.append(title).append('\n');
        String format = "  %-" + width + "s %6s %10s %7s %12s%n";
        b.append(String.format(format, what, "calls", "total ms", "share", "rate"));
        for (Row r : rows) {
            b.append(String.format(format, r.task(), r.calls(), String.format("%.3f", r.millis()),
                    String.format("%.1f%%", 100 * share(r)), rate(r)));
        }
        b.append(String.format(format, "total", rows.stream().mapToLong(Row::calls).sum(),
                String.format("%.3f", totalNanos / 1e6), "100.0%", ""));
        return b.toString();
    }

    private static String rate(Row r) {
        if (!Double.isNaN(r.gflopsPerSecond())) {
            return String.format("%.1f GFLOP/s", r.gflopsPerSecond());
        }
        if (!Double.isNaN(r.gigabytesPerSecond())) {
            return String.format("%.1f GB/s", r.gigabytesPerSecond());
        }
        return "";
    }

    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("title", title);
        root.addProperty("totalMs", totalNanos / 1e6);
        JsonArray list = new JsonArray();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty(what, r.task());
            o.addProperty("calls", r.calls());
            o.addProperty("totalMs", r.millis());
            o.addProperty("share", share(r));
            if (r.flops() > 0) {
                o.addProperty("flopsPerCall", r.flops());
                o.addProperty("gflopsPerSecond", r.gflopsPerSecond());
            }
            if (r.bytes() > 0) {
                o.addProperty("bytesPerCall", r.bytes());
                o.addProperty("gigabytesPerSecond", r.gigabytesPerSecond());
            }
            list.add(o);
        }
        root.add("rows", list);
        return root;
    }

    public String toJsonText() {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
                .toJson(toJson());
    }
}

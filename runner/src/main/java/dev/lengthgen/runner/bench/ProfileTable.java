package dev.lengthgen.runner.bench;

import dev.lengthgen.engine.graph.Profile;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-task profile of one step, as a table grouped by op (tasks named "layer3.fc.bwd" group under "fc.bwd",
 * summed over layers), largest first, with GFLOP/s where the task declares its FLOPs.
 */
final class ProfileTable {
    private ProfileTable() {
    }

    /** Layer-free name: "layer3.fc.bwd" -&gt; "fc.bwd". */
    static String group(String task) {
        return task.matches("layer\\d+\\..*") ? task.substring(task.indexOf('.') + 1) : task;
    }

    static void print(Profile profile, Map<String, Double> taskFlops, PrintStream out) {
        double total = profile.totalNanos() / 1e6;
        out.printf("  %-24s %9s %7s %10s%n", "op (summed over layers)", "ms", "share", "GFLOP/s");
        for (Map<String, Object> row : grouped(profile, taskFlops)) {
            double ms = (Double) row.get("ms");
            double gflops = (Double) row.get("gflops");
            out.printf("  %-24s %9.2f %6.1f%% %10s%n", row.get("op"), ms, 100 * ms / total,
                    gflops > 0 ? String.format("%.1f", gflops) : "");
        }
        out.printf("  %-24s %9.2f%n", "total", total);
    }

    static List<Map<String, Object>> grouped(Profile profile, Map<String, Double> taskFlops) {
        Map<String, double[]> byGroup = new LinkedHashMap<>();
        for (Profile.Entry e : profile.entries()) {
            double[] g = byGroup.computeIfAbsent(group(e.task()), k -> new double[2]);
            g[0] += e.nanos() / 1e6;
            g[1] += taskFlops.getOrDefault(e.task(), 0.0) * e.calls();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        byGroup.forEach((k, v) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("op", k);
            row.put("ms", Peak.round(v[0]));
            row.put("gflops", v[1] > 0 ? Peak.round(v[1] / (v[0] / 1e3) / 1e9) : 0.0);
            rows.add(row);
        });
        rows.sort((a, b) -> Double.compare((Double) b.get("ms"), (Double) a.get("ms")));
        return rows;
    }

    static Map<String, Object> json(Profile profile, Map<String, Double> taskFlops) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_ms", Peak.round(profile.totalNanos() / 1e6));
        m.put("by_op", grouped(profile, taskFlops));
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (Profile.Entry e : profile.entries()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("task", e.task());
            row.put("calls", e.calls());
            row.put("ms", Peak.round(e.nanos() / 1e6));
            tasks.add(row);
        }
        m.put("tasks", tasks);
        return m;
    }
}

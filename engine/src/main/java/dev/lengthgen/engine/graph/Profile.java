package dev.lengthgen.engine.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-task timings: calls and total nanoseconds, in the order tasks first ran. */
public final class Profile {

    /** One row of a profile. */
    public record Entry(String task, long calls, long nanos) {
    }

    private final Map<String, long[]> byTask = new LinkedHashMap<>();

    public synchronized void record(String task, long nanos) {
        long[] row = byTask.computeIfAbsent(task, k -> new long[2]);
        row[0]++;
        row[1] += nanos;
    }

    public synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        byTask.forEach((k, v) -> out.add(new Entry(k, v[0], v[1])));
        return Collections.unmodifiableList(out);
    }

    public synchronized long totalNanos() {
        long total = 0;
        for (long[] v : byTask.values()) {
            total += v[1];
        }
        return total;
    }

    public synchronized void clear() {
        byTask.clear();
    }
}

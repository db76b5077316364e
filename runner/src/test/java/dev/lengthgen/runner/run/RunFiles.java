package dev.lengthgen.runner.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Run folders compared as files: what a test of resumes, kills and refusals asserts about. */
public final class RunFiles {
    private RunFiles() {
    }

    /** metrics.jsonl with its one measured field (tokens_per_s, a timing) blanked: the rest is computed. */
    public static String metricsWithoutTimings(Path run) throws IOException {
        return Files.readString(run.resolve(RunFolder.METRICS))
                .replaceAll("\"tokens_per_s\":[0-9]+", "\"tokens_per_s\":0");
    }

    /**
     * Asserts that a run ended exactly as an uninterrupted one: the same files (nothing left over), config.json,
     * both checkpoints byte for byte, and metrics.jsonl but for its timings.
     */
    public static void assertSameRun(Path expected, Path actual) throws IOException {
        assertEquals(names(expected), names(actual), "the files of " + actual);
        for (String f : List.of(RunFolder.CONFIG, RunFolder.LATEST, RunFolder.BEST)) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)),
                    f + " of " + actual);
        }
        assertEquals(metricsWithoutTimings(expected), metricsWithoutTimings(actual), "metrics.jsonl of " + actual);
    }

    /** The names of a folder's entries, sorted. */
    public static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Every file under a folder with its bytes, except the lock file (whose content is the pid of the last process
     * that held it): a refused command must leave this unchanged.
     */
    public static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String rel = dir.relativize(p).toString();
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(RunLock.FILE)) {
                    files.put(rel, Files.readAllBytes(p));
                } else if (Files.isDirectory(p)) {
                    files.put(rel + "/", new byte[0]);
                }
            }
        }
        return files;
    }

    public static void assertUnchanged(Map<String, byte[]> before, Path dir, String what) throws IOException {
        Map<String, byte[]> after = snapshot(dir);
        assertEquals(before.keySet(), after.keySet(), "files after " + what);
        List<String> changed = new ArrayList<>();
        before.forEach((k, v) -> {
            if (!Arrays.equals(v, after.get(k))) {
                changed.add(k);
            }
        });
        assertEquals(List.of(), changed, "files changed by " + what);
    }
}

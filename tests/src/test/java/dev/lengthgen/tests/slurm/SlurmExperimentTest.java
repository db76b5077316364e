package dev.lengthgen.tests.slurm;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.Main;
import dev.lengthgen.runner.slurm.Slurm;
import dev.lengthgen.runner.slurm.TaskState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An experiment submitted to a real Slurm with {@code reproduce --slurm}: a tiny modular-addition grid (p = 100 and
 * 101, 2 seeds, 300 steps), at most two array tasks at a time on one CPU each, run by the jar the build made, as a
 * user runs it. While it trains, two tasks are interrupted: one requeued with {@code scontrol requeue} (SIGTERM to
 * the batch shell and the run, as a preemption sends), one sent the time-limit warning with
 * {@code scancel --signal=USR1 --batch} (the script passes it on and requeues the task itself). Meanwhile the same
 * experiment is reproduced locally. Every run of the Slurm folder must end bit for bit as the local one, the two
 * interrupted runs must have resumed from the checkpoint of the step they stopped at, and the report job must have
 * written the report after the last task, requeued ones included.
 *
 * <p>Needs a Slurm cluster (.ci/slurm-up.sh starts a one-node one as root) and runner/target/lengthgen.jar (the
 * build packages it before this module's tests run).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlurmExperimentTest {
    private static final List<String> EXPERIMENT = List.of("modular-addition", "--moduli", "100,101", "--seeds", "2",
            "--steps", "300", "--eval-count", "100", "--backend", "cpu", "--threads", "1");
    /** The JVM flags the launcher (./lengthgen) gives the jar. */
    private static final List<String> LAUNCHER_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "-XX:+UseParallelGC", "-XX:PerMethodTrapLimit=100000");
    private static final int STEPS = 300;
    private static final int EVAL_EVERY = 250;
    /** The runs interrupted, how, and after which logged step. */
    private static final String REQUEUED = "p100-seed0";
    private static final int REQUEUED_AFTER = 100;
    private static final String WARNED = "p101-seed0";
    private static final int WARNED_AFTER = 150;
    private static final long WAIT_S = 600;

    private Path root;
    private Path local;
    private Path submitted;
    private String array;
    private String report;
    private List<String> runs;
    private String statusWhileTraining;

    @BeforeAll
    void submitInterruptTwoTasksAndReproduceLocally() throws Exception {
        SlurmAvailability.require();
        Path jar = Path.of("..", "runner", "target", "lengthgen.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing: build it first (./mvnw package, or the whole ./mvnw verify)");
        }
        // Not a JUnit temporary folder: Slurm's processes write into it until they have ended, which @AfterAll sees.
        root = Files.createTempDirectory("lengthgen-slurm-test");
        local = root.resolve("local");
        submitted = root.resolve("slurm");
        long start = System.nanoTime();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LAUNCHER_FLAGS);
        command.addAll(List.of("-jar", jar.toString(), "reproduce"));
        command.addAll(EXPERIMENT);
        command.addAll(List.of("--out", submitted.toString(), "--slurm", "--max-parallel", "2", "--cpus-per-task",
                "1", "--time", "00:10:00"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), printed);
        JsonObject submission = JsonParser.parseString(Files.readString(submitted.resolve("slurm/jobs.json")))
                .getAsJsonObject().getAsJsonArray("submissions").get(0).getAsJsonObject();
        array = submission.get("array_job").getAsString();
        report = submission.get("report_job").getAsString();
        runs = new ArrayList<>();
        submission.getAsJsonArray("runs").forEach(r -> runs.add(r.getAsString()));
        assertEquals(List.of("p100-seed0", "p100-seed1", "p101-seed0", "p101-seed1"), runs);

        CompletableFuture<Void> interruptions = CompletableFuture.runAsync(this::interruptTwoTasks);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("reproduce"));
        args.addAll(EXPERIMENT);
        args.addAll(List.of("--jobs", "2", "--out", local.toString()));
        int code = Main.run(args.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        interruptions.get(WAIT_S, TimeUnit.SECONDS);
        awaitEnd(report);
        System.out.printf("Slurm experiment (submission, interruptions, local reproduce, report): %.1f s%n",
                (System.nanoTime() - start) / 1e9);
    }

    /** Requeues one running task and warns another of its time limit, each once it has logged a given step. */
    private void interruptTwoTasks() {
        try {
            awaitLoggedStep(REQUEUED, REQUEUED_AFTER);
            slurm("scontrol", "requeue", taskOf(REQUEUED));
            awaitLoggedStep(WARNED, WARNED_AFTER);
            slurm("scancel", "--signal=USR1", "--batch", taskOf(WARNED));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Main.run(new String[]{"reproduce", "modular-addition", "--out", submitted.toString(), "--status"},
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            statusWhileTraining = out.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String taskOf(String run) {
        return array + "_" + runs.indexOf(run);
    }

    private void awaitLoggedStep(String run, int step) throws Exception {
        Path metrics = submitted.resolve("runs").resolve(run).resolve("metrics.jsonl");
        long end = System.nanoTime() + WAIT_S * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (Files.exists(metrics) && Files.readString(metrics).contains("{\"step\":" + step + ",")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(run + " never logged step " + step + "; " + diagnosis());
    }

    private static void slurm(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    /** Waits until Slurm says the job (every task, for an array) ended, or has forgotten it. */
    private void awaitEnd(String job) throws Exception {
        long end = System.nanoTime() + WAIT_S * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (Slurm.queue(List.of(job)).values().stream().allMatch(TaskState::ended)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("job " + job + " did not end within " + WAIT_S + " s; " + diagnosis());
    }

    private String diagnosis() throws IOException {
        StringBuilder sb = new StringBuilder("Slurm: " + Slurm.queue(List.of(array, report)).values());
        Path logs = submitted.resolve("slurm/logs");
        if (Files.isDirectory(logs)) {
            try (Stream<Path> files = Files.list(logs)) {
                for (Path f : files.sorted().toList()) {
                    sb.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
                }
            }
        }
        return sb.toString();
    }

    @AfterAll
    void cancelWhatIsLeftAndDeleteTheFolders() throws Exception {
        if (array != null) {
            new ProcessBuilder("scancel", array, report).start().waitFor(60, TimeUnit.SECONDS);
            awaitEnd(array);
        }
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Test
    void everyRunEqualsTheSameRunOfALocalReproduceToTheLastBitAndTheReportJobWroteTheReportLast() throws Exception {
        assertTrue(Files.isRegularFile(submitted.resolve("report.html")), "the report job wrote report.html");
        JsonArray reported = JsonParser.parseString(Files.readString(submitted.resolve("summary.json")))
                .getAsJsonObject().getAsJsonArray("runs");
        assertEquals(runs.size(), reported.size(), "every run in the report");
        long reportTime = Files.getLastModifiedTime(submitted.resolve("report.html")).toMillis();
        for (String run : runs) {
            Path expected = local.resolve("runs").resolve(run);
            Path actual = submitted.resolve("runs").resolve(run);
            assertTrue(Files.isRegularFile(actual.resolve("result.json")), run + " finished; " + diagnosis());
            assertTrue(reportTime >= Files.getLastModifiedTime(actual.resolve("result.json")).toMillis(),
                    "the report was written after " + run + " finished");
            assertEquals(resultWithoutTiming(expected), resultWithoutTiming(actual), run + "/result.json");
            for (String f : List.of("config.json", "latest.safetensors", "best.safetensors")) {
                assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)),
                        run + "/" + f);
            }
            assertEquals(metricsWithoutTimings(expected), metricsWithoutTimings(actual), run + "/metrics.jsonl");
        }
    }

    @Test
    void theInterruptedTasksResumedFromTheirCheckpointsAndEndedWithTheUninterruptedFinalLoss() throws Exception {
        Map<String, String> how = new LinkedHashMap<>();
        how.put(REQUEUED, "scontrol requeue after step " + REQUEUED_AFTER);
        how.put(WARNED, "time-limit warning (SIGUSR1) after step " + WARNED_AFTER);
        for (Map.Entry<String, String> e : how.entrySet()) {
            String run = e.getKey();
            int after = run.equals(REQUEUED) ? REQUEUED_AFTER : WARNED_AFTER;
            String log = Files.readString(submitted.resolve("slurm/logs").resolve(taskOf(run) + ".out"));
            assertTrue(log.contains("task " + taskOf(run) + " on ") && log.contains(", restart 1, "),
                    run + " ran again as a restart: " + log);
            Matcher stopped = Pattern.compile("stopped after step (\\d+) with its checkpoint saved").matcher(log);
            assertTrue(stopped.find(), run + " stopped with a checkpoint: " + log);
            int step = Integer.parseInt(stopped.group(1));
            assertTrue(step > after && step < STEPS && step % EVAL_EVERY != 0,
                    run + " stopped at a step between " + after + " and " + STEPS + " that is not an evaluation step: "
                            + step);
            assertTrue(log.contains(run + ": resuming at step " + step + " of " + STEPS),
                    run + " resumed from the checkpoint of step " + step + ": " + log);
            if (run.equals(WARNED)) {
                assertTrue(log.contains("requeueing task " + taskOf(run)), "the script requeued it: " + log);
            }
            float expected = finalLoss(local.resolve("runs").resolve(run));
            float actual = finalLoss(submitted.resolve("runs").resolve(run));
            System.out.printf("%s, %s (stopped after step %d, resumed there): final loss %s; uninterrupted local"
                    + " run: %s%n", run, e.getValue(), step, actual, expected);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), run + " final loss");
        }
    }

    @Test
    void statusShowedTheTasksWhileTheyTrained() throws Exception {
        String s = statusWhileTraining;
        assertTrue(s != null && s.startsWith("modular-addition v"), s);
        assertTrue(s.contains(" 4 runs: "), s);
        assertTrue(s.contains(taskOf(REQUEUED) + " "), s);
        assertTrue(s.contains("RUNNING") || s.contains("PENDING"), s);
        assertTrue(s.contains("report job " + report + ": PENDING (Dependency)"), s);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Main.run(new String[]{"reproduce", "modular-addition", "--out", submitted.toString(), "--status"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String after = out.toString(StandardCharsets.UTF_8);
        assertTrue(after.contains(": 4 runs: 4 done, 0 running, 0 pending, 0 failed"), after);
        assertTrue(after.contains(taskOf(WARNED) + " COMPLETED"), after);
    }

    private static JsonObject resultWithoutTiming(Path run) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(run.resolve("result.json"))).getAsJsonObject();
        o.remove("wall_s");
        return o;
    }

    private static String metricsWithoutTimings(Path run) throws IOException {
        return Files.readString(run.resolve("metrics.jsonl")).replaceAll("\"tokens_per_s\":[0-9]+", "");
    }

    private static float finalLoss(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        JsonObject last = JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
        assertEquals(STEPS, last.get("step").getAsInt());
        return last.get("loss").getAsFloat();
    }
}

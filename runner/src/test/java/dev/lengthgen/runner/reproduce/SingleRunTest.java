package dev.lengthgen.runner.reproduce;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.LengthgenProcess;
import dev.lengthgen.runner.run.RunCheckpoint;
import dev.lengthgen.runner.run.RunFiles;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.StopRequest;
import dev.lengthgen.runner.run.TrainSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reproduce NAME --out DIR --run ID}, what each Slurm array task runs: one run trained on its own ends bit for
 * bit as the same run of a local reproduce, also when signals stop it at steps that are not evaluation steps and it
 * is run again (the time-limit warning's SIGUSR1 and a preemption's SIGTERM: exit code 75, a checkpoint at the step
 * it stopped after), and when it is stopped during its final evaluation.
 */
class SingleRunTest {
    /** One run of 120 steps: evaluated at step 120 only, metrics logged every 50 steps. */
    private static final List<String> EXPERIMENT = List.of("modular-addition", "--moduli", "100", "--seeds", "1",
            "--steps", "120", "--eval-count", "20", "--backend", "cpu", "--threads", "1");
    private static final String RUN = "p100-seed0";
    private static final Pattern STOPPED = Pattern.compile("stopped after step (\\d+) with its checkpoint saved");

    @TempDir
    Path tmp;
    /** Where the local reproduce that every test compares with is run, once for the class. */
    @TempDir
    static Path shared;
    private static Path localRun;

    private static String[] reproduce(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("reproduce"));
        a.addAll(EXPERIMENT);
        a.addAll(List.of("--out", out.toString()));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    /** A local reproduce of the same experiment: the run as it must end. */
    private static synchronized Path local() {
        if (localRun == null) {
            Path local = shared.resolve("local");
            CliRun r = CliRun.of(reproduce(local));
            assertEquals(0, r.code(), r.err() + r.out());
            localRun = local.resolve("runs").resolve(RUN);
        }
        return localRun;
    }

    /** Waits until the run's metrics.jsonl has logged {@code step}. */
    private static void awaitStep(Path run, int step, LengthgenProcess p) throws Exception {
        Path metrics = run.resolve(RunFolder.METRICS);
        long end = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < end && p.isAlive()) {
            if (Files.exists(metrics) && Files.readString(metrics).contains("{\"step\":" + step + ",")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("step " + step + " never logged: " + p.out() + p.err());
    }

    /** result.json without its one measured field (wall_s). */
    static JsonObject resultWithoutTiming(Path run) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(run.resolve(ExperimentDirectory.RESULT)))
                .getAsJsonObject();
        o.remove("wall_s");
        return o;
    }

    @Test
    void aRunStoppedBySignalsAtStepsThatAreNotEvaluationStepsEndsAsTheSameRunOfALocalReproduce() throws Exception {
        Path expected = local();
        Path alone = tmp.resolve("alone");
        Path run = alone.resolve("runs").resolve(RUN);
        List<Integer> stops = new ArrayList<>();
        int[] after = {50, 100};
        String[] signals = {"USR1", "TERM"};
        for (int i = 0; i < 2; i++) {
            LengthgenProcess p = LengthgenProcess.startCompiled(reproduce(alone, "--run", RUN));
            awaitStep(run, after[i], p);
            p.signal(signals[i]);
            assertEquals(75, p.waitFor(120), "stopped resumably by SIG" + signals[i] + ": " + p.out() + p.err());
            Matcher m = STOPPED.matcher(p.out());
            assertTrue(m.find(), p.out());
            int step = Integer.parseInt(m.group(1));
            assertTrue(p.out().contains("SIG" + signals[i] + ": stopping at the next step boundary"), p.out());
            assertTrue(step > after[i] && step < 120, "stopped between step " + after[i] + " and the evaluation at "
                    + "120: " + step);
            try (RunCheckpoint ck = RunCheckpoint.open(run.resolve(RunFolder.LATEST), null, true, "")) {
                assertEquals(step, ck.step(), "checkpointed at the step it stopped after");
            }
            assertFalse(Files.exists(run.resolve(ExperimentDirectory.RESULT)));
            stops.add(step);
        }
        LengthgenProcess last = LengthgenProcess.startCompiled(reproduce(alone, "--run", RUN));
        assertEquals(0, last.waitFor(180), last.out() + last.err());
        String log = Files.readString(run.resolve(ExperimentDirectory.LOG));
        for (int step : stops) {
            assertTrue(log.contains("at step " + step + " of 120"), "resumed from step " + step + ": " + log);
        }
        RunFiles.assertSameRun(expected, run);
        assertEquals(resultWithoutTiming(expected), resultWithoutTiming(run));
        assertFalse(Files.exists(alone.resolve("report.html")), "one run writes no report");

        // Finished: run again, it does nothing.
        Map<String, byte[]> before = RunFiles.snapshot(alone);
        CliRun again = CliRun.of(reproduce(alone, "--run", RUN));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("is finished"), again.out());
        RunFiles.assertUnchanged(before, alone, "--run of a finished run");
    }

    @Test
    void aRunStoppedDuringItsFinalEvaluationIsEvaluatedWhenRunAgain() throws Exception {
        Path expected = local();
        // A copy of the trained run without its result: what a stop during the evaluation leaves.
        Path exp = tmp.resolve("evaluating");
        Path run = exp.resolve("runs").resolve(RUN);
        Files.createDirectories(run);
        Files.copy(expected.getParent().getParent().resolve(ExperimentDirectory.MANIFEST),
                exp.resolve(ExperimentDirectory.MANIFEST));
        for (String f : List.of(RunFolder.CONFIG, RunFolder.METRICS, RunFolder.LATEST, RunFolder.BEST,
                ExperimentDirectory.PLAN)) {
            Files.copy(expected.resolve(f), run.resolve(f));
        }
        ExperimentOptions options = new ExperimentOptions(Scale.TINY, 1, List.of(100L), null, 120, 20, "cpu", null, 1);
        Experiment e = ExperimentCatalog.named("modular-addition");
        List<RunPlan> plans = e.plan(options);
        ExperimentRunner runner = new ExperimentRunner(ExperimentDirectory.check(exp, e, Scale.TINY), options, 1);
        List<TrainSettings> settings = runner.prepare(plans);
        StopRequest stop = new StopRequest();
        stop.request();
        try (RunFolder folder = RunFolder.lock(run);
             ExperimentProgress progress = new ExperimentProgress(e.name(), new PrintStream(OutputStream
                     .nullOutputStream()), false, 1, 120, 0, 120, 120)) {
            assertEquals(ExperimentRunner.Outcome.STOPPED, runner.runOne(plans.get(0), settings.get(0), folder,
                    progress, stop));
        }
        assertFalse(Files.exists(run.resolve(ExperimentDirectory.RESULT)));
        assertTrue(Files.readString(run.resolve(ExperimentDirectory.LOG)).strip()
                .endsWith("stopped during the final evaluation; the trained checkpoint is kept"));
        LengthgenProcess p = LengthgenProcess.startCompiled(reproduce(exp, "--run", RUN));
        assertEquals(0, p.waitFor(120), p.out() + p.err());
        assertEquals(resultWithoutTiming(expected), resultWithoutTiming(run));
        RunFiles.assertSameRun(expected, run);
    }

    @Test
    void badInputIsOneLineWithExitTwoAndWritesNothing() {
        Path out = tmp.resolve("x");
        CliRun.assertUsage("modular-addition with these options has no such run (it has p100-seed0)",
                reproduce(out, "--run", "p999-seed0"));
        CliRun.assertUsage("--jobs does not go with --run", reproduce(out, "--run", RUN, "--jobs", "2"));
        CliRun.assertUsage("--json does not go with --run", reproduce(out, "--run", RUN, "--json"));
        CliRun.assertUsage("--slurm and --run do not go together", reproduce(out, "--run", RUN, "--slurm"));
        CliRun.assertUsage("--run and --status do not go together", reproduce(out, "--run", RUN, "--status"));
        CliRun.assertUsage("--partition goes with --slurm", reproduce(out, "--run", RUN, "--partition", "gpu"));
        assertFalse(Files.exists(out), "nothing written");
    }
}

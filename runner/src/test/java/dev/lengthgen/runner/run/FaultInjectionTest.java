package dev.lengthgen.runner.run;

import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.LengthgenProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection: training subprocesses killed with SIGKILL at seeded random moments (starting up, checking the
 * folder, mid-step, writing a metrics line, saving a checkpoint), then continued the way a user would (--resume,
 * or --out DIR --force when no checkpoint was saved yet), until the run finishes. Every run must end bit for bit as
 * an uninterrupted one: config.json, latest.safetensors, best.safetensors (and the best score inside it), and every
 * metrics line exactly once, with nothing left over in the folder. A second test stops runs with SIGTERM, which
 * checkpoints at the next step boundary.
 */
class FaultInjectionTest {
    /** A tiny run on the reference backend: about 2 s in a fresh JVM; dropout exercises the step-keyed random draws. */
    private static final List<String> RUN = List.of("--task", "add", "--width", "3", "--train-digits", "1-2",
            "--test-digits", "1-3", "--layers", "1", "--heads", "2", "--dim", "16", "--dropout", "0.1", "--batch",
            "8", "--steps", "150", "--eval-every", "10", "--log-every", "5", "--eval-samples", "20", "--backend",
            "reference");
    private static final int KILLS = 24;
    private static final long SEED = 16;

    @TempDir
    Path tmp;

    private static String[] train(String... more) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(RUN);
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    private Path uninterrupted() throws IOException {
        Path straight = tmp.resolve("straight");
        CliRun r = CliRun.of(train("--out", straight.toString()));
        assertEquals(0, r.code(), r.err());
        return straight;
    }

    /** The command a user gives after a kill: resume when a checkpoint was saved, else start again. */
    private static String[] next(Path run) {
        return Files.exists(run.resolve(RunFolder.LATEST)) ? new String[]{"train", "--resume", run.toString()}
                : train("--out", run.toString(), "--force");
    }

    @Test
    void runsKilledAtRandomMomentsEndBitIdenticalToAnUninterruptedRun() throws Exception {
        Path straight = uninterrupted();
        Random random = new Random(SEED);
        int kills = 0, killsWhileTraining = 0, runs = 0, starts = 0;
        while (kills < KILLS) {
            Path run = tmp.resolve("killed-" + runs++);
            boolean finished = false;
            while (!finished) {
                LengthgenProcess p = LengthgenProcess.start(next(run));
                starts++;
                // Every other kill is timed from the process start (the JVM starting, the run's checks, the first
                // steps), the others from the first metrics line, so that half of them land while training however
                // slowly a loaded machine starts a JVM.
                boolean fromTraining = kills % 2 == 1;
                if (kills < KILLS && fromTraining && !p.awaitOutput("{\"step\":", 60_000)) {
                    fromTraining = false; // ended before it logged a step: time this one from the start
                }
                if (kills < KILLS && !p.endsWithin(random.nextInt(fromTraining ? 600 : 1800))) {
                    boolean training = !p.out().isEmpty();
                    p.kill();
                    if (p.waitFor(30) == 137) { // else it had just ended by itself
                        kills++;
                        killsWhileTraining += training ? 1 : 0;
                        continue;
                    }
                }
                int code = p.waitFor(120);
                assertEquals(0, code, "start " + starts + " of " + run + ": " + p.err() + p.out());
                finished = true;
            }
            RunFiles.assertSameRun(straight, run);
        }
        System.out.printf("fault injection: %d SIGKILLs (%d after the run had started training) over %d runs and "
                + "%d process starts; every run ended bit-identical%n", kills, killsWhileTraining, runs, starts);
        assertTrue(killsWhileTraining >= KILLS / 2, "most kills land while training: " + killsWhileTraining);
    }

    /**
     * A kill right after a checkpoint is saved, timed by watching the folder: whatever the step logged before that
     * checkpoint must be in metrics.jsonl (the metrics line of a step is written before its checkpoints), so the
     * resumed run still logs every step exactly once.
     */
    @Test
    void killsRightAfterACheckpointIsSavedLoseNoMetricsLine() throws Exception {
        Path straight = uninterrupted();
        Path run = tmp.resolve("after-save");
        Path latest = run.resolve(RunFolder.LATEST);
        int kills = 0;
        for (boolean finished = false; !finished; ) {
            Object before = Files.exists(latest) ? Files.readAttributes(latest, BasicFileAttributes.class).fileKey()
                    : null;
            LengthgenProcess p = LengthgenProcess.start(next(run));
            while (kills < 5 && p.isAlive() && Objects.equals(before, Files.exists(latest)
                    ? Files.readAttributes(latest, BasicFileAttributes.class).fileKey() : null)) {
                Thread.onSpinWait();
            }
            if (kills < 5 && p.isAlive()) { // a new latest.safetensors was just renamed into place
                p.kill();
                if (p.waitFor(30) == 137) { // else it had just ended by itself
                    kills++;
                    continue;
                }
            }
            assertEquals(0, p.waitFor(120), p.err());
            finished = true;
        }
        assertTrue(kills >= 4, "kills right after a save: " + kills);
        RunFiles.assertSameRun(straight, run);
    }

    @Test
    void runsStoppedBySigtermCheckpointAndResumeBitIdentically() throws Exception {
        Path straight = uninterrupted();
        Random random = new Random(SEED + 1);
        Path run = tmp.resolve("stopped");
        int stops = 0;
        for (boolean finished = false; !finished; ) {
            LengthgenProcess p = LengthgenProcess.start(next(run));
            assertTrue(p.awaitOutput("{\"step\":", 60_000), p.err()); // training: the stop hook is in place
            // The first stop comes as soon as training logs, so that one lands mid-run even where the whole run
            // takes less than a second; the others at random moments after that.
            if (stops < 3 && !p.endsWithin(stops == 0 ? 0 : random.nextInt(600))) {
                p.terminate();
                int code = p.waitFor(60);
                if (p.out().contains("done: ")) { // the signal came after the last step
                    finished = true;
                    continue;
                }
                assertEquals(143, code, "ended by SIGTERM: " + p.err());
                assertTrue(p.out().contains("stopped after step "), p.out() + p.err());
                int step = Integer.parseInt(p.out().replaceAll("(?s).*stopped after step (\\d+).*", "$1"));
                try (RunCheckpoint ck = RunCheckpoint.open(run.resolve(RunFolder.LATEST), null, true, "")) {
                    assertEquals(step, ck.step(), "checkpointed at the step it stopped after");
                }
                stops++;
                continue;
            }
            assertEquals(0, p.waitFor(120), p.err());
            finished = true;
        }
        assertTrue(stops >= 1, "at least one stop landed mid-run");
        RunFiles.assertSameRun(straight, run);
    }
}

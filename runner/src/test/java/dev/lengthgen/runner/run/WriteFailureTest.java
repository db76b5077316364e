package dev.lengthgen.runner.run;

import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.LengthgenProcess;
import dev.lengthgen.runner.TrainArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes that fail: a path in /proc or /sys, and a disk that fills up, simulated with a file-size limit
 * ({@code ulimit -f}) on a subprocess, which makes a write past the limit fail with "File too large" as a full disk
 * fails with "No space left on device". Each command says in one line which file it could not write and why, exits
 * nonzero, keeps the previous files, and leaves no temporary file.
 */
class WriteFailureTest {
    private static final List<String> RUN = List.of("--task", "add", "--width", "3", "--train-digits", "1-2",
            "--test-digits", "1-3", "--layers", "1", "--heads", "2", "--dim", "16", "--batch", "8", "--steps", "20",
            "--eval-every", "10", "--log-every", "5", "--eval-samples", "10", "--backend", "reference");
    /** Below one checkpoint of the RUN model (about 90 KiB), above its config.json and metrics. */
    private static final long BELOW_A_CHECKPOINT_KIB = 48;

    @TempDir
    Path tmp;

    /** The one line a failed write prints, the JVM's notices aside. */
    private static String failure(LengthgenProcess p, int expectedCode) throws InterruptedException {
        assertEquals(expectedCode, p.waitFor(120), p.err() + p.out());
        String err = p.err().strip();
        assertEquals(1, err.lines().count(), err);
        return err;
    }

    private static void assertNoTemporaryFiles(Path dir) throws IOException {
        for (String name : RunFiles.names(dir)) {
            assertFalse(name.endsWith(".tmp"), name + " left in " + dir);
        }
    }

    @Test
    void specialFileSystemsAreRefusedBeforeAnyWork() {
        for (String path : List.of("/proc/foo.txt", "/sys/foo.txt", "/proc/self/foo/bar.txt")) {
            CliRun.assertUsage("--out " + path, "data", "--out", path, "--train-digits", "2");
        }
    }

    @Test
    void aCheckpointThatDoesNotFitIsOneLineAndTheRunStartsAgainCleanly() throws Exception {
        Path straight = tmp.resolve("straight"), run = tmp.resolve("run");
        assertEquals(0, CliRun.of(TrainArgs.train(RUN, "--out", straight.toString())).code());
        LengthgenProcess p = LengthgenProcess.start(BELOW_A_CHECKPOINT_KIB,
                TrainArgs.train(RUN, "--out", run.toString()));
        String err = failure(p, 1);
        assertEquals("lengthgen train: cannot write " + run.resolve(RunFolder.BEST) + ": File too large", err);
        assertNoTemporaryFiles(run);
        assertFalse(Files.exists(run.resolve(RunFolder.LATEST)));
        // The step's metrics line was written before its checkpoints: the log is whole.
        assertTrue(Files.readString(run.resolve(RunFolder.METRICS)).endsWith("\n"));
        // With room again, the user starts it again and gets the run an uninterrupted start gives.
        assertEquals(0, CliRun.of(TrainArgs.train(RUN, "--out", run.toString(), "--force")).code());
        RunFiles.assertSameRun(straight, run);
    }

    @Test
    void aResumeThatRunsOutOfRoomKeepsTheCheckpointItResumedFrom() throws Exception {
        Path reference = tmp.resolve("reference"), run = tmp.resolve("run");
        for (Path dir : List.of(reference, run)) {
            assertEquals(0, CliRun.of(TrainArgs.train(RUN, "--out", dir.toString())).code());
        }
        assertEquals(0, CliRun.of("train", "--resume", reference.toString(), "--steps", "40").code());
        byte[] latest = Files.readAllBytes(run.resolve(RunFolder.LATEST));
        byte[] best = Files.readAllBytes(run.resolve(RunFolder.BEST));
        LengthgenProcess p = LengthgenProcess.start(BELOW_A_CHECKPOINT_KIB, "train", "--resume", run.toString(),
                "--steps", "40");
        assertTrue(failure(p, 1).matches("lengthgen train: cannot write " + run + "/(best|latest)\\.safetensors: "
                + "File too large"), p.err());
        assertNoTemporaryFiles(run);
        assertArrayEquals(latest, Files.readAllBytes(run.resolve(RunFolder.LATEST)), "the checkpoint resumed from");
        assertArrayEquals(best, Files.readAllBytes(run.resolve(RunFolder.BEST)));
        CliRun again = CliRun.of("train", "--resume", run.toString(), "--steps", "40");
        assertEquals(0, again.code(), again.err());
        RunFiles.assertSameRun(reference, run);
    }

    @Test
    void aMetricsLineThatDoesNotFitIsCutBackOffWhole() throws Exception {
        Path run = tmp.resolve("run");
        LengthgenProcess p = LengthgenProcess.start(3, TrainArgs.train(RUN, "--steps", "500", "--log-every", "1",
                "--eval-every", "1000", "--out", run.toString()));
        assertEquals("lengthgen train: cannot write " + run.resolve(RunFolder.METRICS) + ": File too large",
                failure(p, 1));
        String metrics = Files.readString(run.resolve(RunFolder.METRICS));
        assertTrue(metrics.endsWith("}\n"), "only whole lines: " + metrics.substring(metrics.length() - 40));
        assertNoTemporaryFiles(run);
    }

    @Test
    void dataAndEvalThatRunOutOfRoomKeepThePreviousFiles() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        LengthgenProcess data = LengthgenProcess.start(1, "data", "--train-digits", "2", "--count", "100000",
                "--out", dir.resolve("examples.txt").toString());
        assertEquals("lengthgen data: cannot write " + dir.resolve("examples.txt") + ": File too large",
                failure(data, 1));
        assertEquals(List.of(), RunFiles.names(dir));

        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(TrainArgs.train(RUN, "--out", run.toString())).code());
        assertEquals(0, CliRun.of("eval", "--run", run.toString(), "--count", "5", "--backend", "reference").code());
        Map<String, byte[]> before = RunFiles.snapshot(run);
        LengthgenProcess eval = LengthgenProcess.start(1, "eval", "--run", run.toString(), "--count", "400",
                "--mistakes", "400", "--json", "--backend", "reference");
        assertTrue(failure(eval, 1).startsWith("lengthgen eval: cannot write " + run.resolve(RunFolder.EVAL_JSON)),
                eval.err());
        RunFiles.assertUnchanged(before, run, "a failed eval");
    }
}

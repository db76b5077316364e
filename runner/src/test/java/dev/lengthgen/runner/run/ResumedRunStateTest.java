package dev.lengthgen.runner.run;

import dev.lengthgen.runner.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a resumed run carries over from the process before it: the best checkpoint and the score it must beat, the
 * files' modes, and nothing of the temporary files a killed process left.
 */
class ResumedRunStateTest {
    /** A constant rate with no warmup: the schedule does not depend on the step budget, so 40 + 40 steps = 80. */
    private static final List<String> T = List.of("train", "--task", "add", "--train-digits", "1-2", "--test-digits",
            "1-3", "--width", "3", "--layers", "1", "--heads", "2", "--dim", "16", "--batch", "8", "--dropout", "0.1",
            "--eval-every", "10", "--log-every", "10", "--eval-samples", "20", "--backend", "reference");

    @TempDir
    Path tmp;

    private static String[] args(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    @Test
    void theBestCheckpointAndItsScoreSurviveAResume() throws IOException {
        // lr 0.5 overshoots: one evaluation before the resume gets a problem right by chance, none after it does.
        List<String> fast = new ArrayList<>(T);
        fast.addAll(List.of("--lr", "0.5", "--lr-schedule", "const", "--warmup", "0"));
        Path straight = tmp.resolve("straight"), resumed = tmp.resolve("resumed");
        assertEquals(0, CliRun.of(args(fast, "--steps", "80", "--out", straight.toString())).code());
        assertEquals(0, CliRun.of(args(fast, "--steps", "40", "--out", resumed.toString())).code());
        CliRun r = CliRun.of("train", "--resume", resumed.toString(), "--steps", "80");
        assertEquals(0, r.code(), r.err());

        assertEquals(RunFiles.metricsWithoutTimings(straight), RunFiles.metricsWithoutTimings(resumed));
        String best = stepOf(straight.resolve(RunFolder.BEST));
        assertTrue(Integer.parseInt(best) < 40, "the test needs the uninterrupted run's best before step 40, where "
                + "the other run resumes; it was at step " + best + " (if training changed, choose another --lr)");
        assertEquals(best, stepOf(resumed.resolve(RunFolder.BEST)), "the best of the resumed run");
        assertArrayEquals(tensors(straight.resolve(RunFolder.BEST)), tensors(resumed.resolve(RunFolder.BEST)));
        assertArrayEquals(tensors(straight.resolve(RunFolder.LATEST)), tensors(resumed.resolve(RunFolder.LATEST)));
    }

    private static String stepOf(Path checkpoint) throws IOException {
        return CheckpointHeaders.read(checkpoint).getAsJsonObject("__metadata__").get("lengthgen.step").getAsString();
    }

    /** The data section of a safetensors file: every tensor's bytes, without the header (which names the flags). */
    private static byte[] tensors(Path checkpoint) throws IOException {
        byte[] b = Files.readAllBytes(checkpoint);
        long header = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(b, 8 + (int) header, b.length);
    }

    @Test
    void temporaryFilesOfKilledWritesAreCleanedAndModesKept() throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(args(T, "--steps", "20", "--out", run.toString())).code());
        List<String> stale = List.of(".best.safetensors.17f3a2c9.tmp", ".latest.safetensors.5e1c.tmp",
                ".config.json.9b.tmp", ".metrics4417230956.tmp", ".write-check88123.tmp");
        for (String f : stale) {
            Files.write(run.resolve(f), new byte[4096]);
        }
        Path liveEval = run.resolve(".eval.json.a1.tmp"); // `lengthgen eval` writes without the lock: not ours
        Files.writeString(liveEval, "{");
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Set<PosixFilePermission> mode = posix ? Files.getPosixFilePermissions(run.resolve(RunFolder.METRICS)) : null;

        CliRun r = CliRun.of("train", "--resume", run.toString(), "--steps", "30");
        assertEquals(0, r.code(), r.err());
        for (String f : stale) {
            assertTrue(Files.notExists(run.resolve(f)), f + " cleaned");
        }
        assertTrue(Files.exists(liveEval));
        if (posix) {
            assertEquals(mode, Files.getPosixFilePermissions(run.resolve(RunFolder.METRICS)),
                    "metrics.jsonl keeps its mode");
        }
        Files.delete(liveEval);
        assertEquals(List.of(".lock", RunFolder.BEST, RunFolder.CONFIG, RunFolder.LATEST, RunFolder.METRICS),
                RunFiles.names(run));

        // A run replaced with --force starts clean too.
        Files.write(run.resolve(stale.get(0)), new byte[16]);
        assertEquals(0, CliRun.of(args(T, "--steps", "10", "--out", run.toString(), "--force")).code());
        assertEquals(List.of(".lock", RunFolder.BEST, RunFolder.CONFIG, RunFolder.LATEST, RunFolder.METRICS),
                RunFiles.names(run));
    }
}

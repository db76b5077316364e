package dev.lengthgen.runner.train;

import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.TrainArgs;
import dev.lengthgen.runner.run.RunFolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A refused `train` loses nothing and leaves nothing: every check (device, the model's memory, flags) runs before a
 * file is written, --force replaces a run only once the new one has started, and a refusal leaves no folder behind.
 * Flags must be spelled in full, and a flag the chosen backend would ignore is refused.
 */
class RefusalsWriteNothingTest {
    private static final List<String> T = List.of("--task", "add", "--train-digits", "2", "--width", "3", "--layers",
            "1", "--heads", "2", "--dim", "16", "--batch", "16", "--eval-every", "10");

    @TempDir
    Path tmp;
    private Path run;

    /** train with the settings T (on the reference backend unless another is given) into out. */
    private static String[] train(Path out, String... more) {
        List<String> a = new ArrayList<>(Arrays.asList(TrainArgs.train(T, more)));
        if (!a.contains("--backend")) {
            a.addAll(List.of("--backend", "reference"));
        }
        if (out != null) {
            a.addAll(List.of("--out", out.toString()));
        }
        return a.toArray(new String[0]);
    }

    @BeforeEach
    void finishedRun() {
        run = tmp.resolve("run");
        CliRun r = CliRun.of(train(run, "--steps", "20"));
        assertEquals(0, r.code(), r.err());
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        m.remove(".lock"); // the pid of the last process that held the folder
        return m;
    }

    private static void assertSameFiles(Map<String, byte[]> before, Path dir) throws IOException {
        Map<String, byte[]> after = files(dir);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }

    @Test
    void forceChecksEverythingBeforeItReplacesARun() throws IOException {
        Map<String, byte[]> before = files(run);
        // An OpenCL device that does not exist (or no OpenCL at all): refused, the old run intact.
        CliRun.assertUsage("device", train(run, "--steps", "20", "--backend", "opencl", "--device", "7", "--force"));
        assertSameFiles(before, run);
        // A model whose memory plan does not fit.
        CliRun.assertUsage("bytes", train(run, "--steps", "20", "--dim", "65536", "--layers", "1024", "--force"));
        assertSameFiles(before, run);
        // Bad flags.
        CliRun.assertUsage("--lr needs a number", train(run, "--lr", "x", "--force"));
        assertSameFiles(before, run);

        // A replacement that starts replaces: the new run's files, nothing of the old one left over.
        CliRun ok = CliRun.of(train(run, "--steps", "10", "--seed", "5", "--force"));
        assertEquals(0, ok.code(), ok.err());
        assertNotEquals(new String(before.get(RunFolder.CONFIG)), Files.readString(run.resolve(RunFolder.CONFIG)));
        assertEquals(List.of(".lock", RunFolder.BEST, RunFolder.CONFIG, RunFolder.LATEST, RunFolder.METRICS),
                Files.list(run).map(p -> p.getFileName().toString()).sorted().toList());
    }

    @Test
    void refusalsAfterTheFolderCheckLeaveNoFolderBehind() {
        for (String[] args : List.of(
                train(tmp.resolve("a"), "--steps", "5", "--backend", "opencl", "--device", "7"),
                train(tmp.resolve("b/c/d"), "--steps", "5", "--dim", "65536", "--layers", "1024"),
                train(tmp.resolve("e"), "--steps", "5", "--min-lr", "0.5", "--lr", "0.1"))) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.code(), r.err());
        }
        for (String name : List.of("a", "b", "e")) {
            assertFalse(Files.exists(tmp.resolve(name)), name + " was not created");
        }
    }

    @Test
    void blankPathsAreRefused() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        List<String> before = Files.list(cwd).map(Path::toString).sorted().toList();
        CliRun.assertUsage("--out needs a path", train(null, "--steps", "5", "--out", ""));
        CliRun.assertUsage("--out needs a path", train(null, "--steps", "5", "--out", "  "));
        CliRun.assertUsage("--resume needs a path", "train", "--resume", "");
        CliRun.assertUsage("--run needs a path", "eval", "--run", "");
        CliRun.assertUsage("--checkpoint needs a path", "eval", "--checkpoint", "");
        CliRun.assertUsage("--out needs a path", "eval", "--run", run.toString(), "--out", "");
        CliRun.assertUsage("--out needs a path", "data", "--out", "");
        CliRun.assertUsage("--out needs a path", "reproduce", "addition-ape", "--out", "");
        CliRun.assertUsage("DIR needs a path", "report", "");
        assertEquals(before, Files.list(cwd).map(Path::toString).sorted().toList(), "nothing written here");
    }

    @Test
    void flagsTheBackendWouldIgnoreAreRefused() {
        Path out = tmp.resolve("x");
        CliRun.assertUsage("--device chooses an OpenCL device", train(out, "--steps", "5", "--backend", "cpu",
                "--device", "3"));
        CliRun.assertUsage("--device chooses an OpenCL device", train(out, "--steps", "5", "--device", "0"));
        CliRun.assertUsage("--threads sets the cpu backend's workers", train(out, "--steps", "5", "--threads", "2"));
        CliRun.assertUsage("--device chooses an OpenCL device", "eval", "--run", run.toString(), "--backend", "cpu",
                "--device", "1");
        assertFalse(Files.exists(out));
        CliRun help = CliRun.of("train", "--help");
        assertTrue(help.out().contains("(default 0: one per core)"), help.out());
    }

    @Test
    void flagsMustBeSpelledInFull() {
        Path out = tmp.resolve("x");
        CliRun.assertUsage("Unrecognized option: --ste", train(out, "--ste", "20"));
        CliRun.assertUsage("Unrecognized option: --tas", "data", "--tas", "mul", "--train-digits", "2");
        assertFalse(Files.exists(out));
        CliRun.assertUsage("Unrecognized option: --ste", "train", "--resume", run.toString(), "--ste", "30");
    }

    @Test
    void aScheduleThatRisesAfterWarmupIsRefused() {
        Path out = tmp.resolve("x");
        CliRun.assertUsage("--min-lr 0.5 is above --lr 0.1", train(out, "--steps", "5", "--lr", "0.1", "--min-lr",
                "0.5"));
        CliRun.assertUsage("--min-lr 0.5 is above --lr 0.001", train(out, "--steps", "5", "--min-lr", "0.5"));
        assertFalse(Files.exists(out));
        // A constant schedule never uses its floor.
        assertEquals(0, CliRun.of(train(out, "--steps", "2", "--lr-schedule", "const", "--min-lr", "0.5")).code());
    }

    @Test
    void resumingAFolderThatHoldsNoRunAddsNothingToIt() throws IOException {
        Path notes = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(notes.resolve("todo.txt"), "mine");
        CliRun.assertUsage("has no config.json", "train", "--resume", notes.toString());
        assertEquals(List.of(notes.resolve("todo.txt")), Files.list(notes).toList());
    }
}

package dev.lengthgen.runner.run;

import dev.lengthgen.runner.CliRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What --resume and eval --run accept: a checkpoint of another run, an edited config.json, flags that would change
 * the run, a broken run description, a metrics log with a bad line, a config.json that is not JSON. Each is refused
 * in one line with exit code 2 before a file is touched.
 */
class ResumeChecksTest {
    private static final List<String> T = List.of("--train-digits", "1-2", "--test-digits", "1-3", "--width", "3",
            "--layers", "1", "--heads", "2", "--dim", "16", "--batch", "8", "--steps", "20", "--eval-every", "10",
            "--log-every", "5", "--eval-samples", "10", "--backend", "reference");

    @TempDir
    static Path tmp;
    private static Path add;
    private static Path mul;
    private static int copies;

    private static Path train(String name, String task) {
        Path out = tmp.resolve(name);
        List<String> a = new ArrayList<>(List.of("train", "--task", task));
        a.addAll(T);
        a.addAll(List.of("--out", out.toString()));
        CliRun r = CliRun.of(a.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @BeforeAll
    static void runs() {
        add = train("add", "add");
        mul = train("mul", "mul"); // the same architecture: the same vocabulary, widths and model flags
    }

    private static Path copy(Path run) throws IOException {
        Path to = tmp.resolve("copy" + copies++);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }

    /** One line, exit 2, the folder unchanged: for resume, and for eval of the same checkpoint. */
    private static void refused(Path dir, String expected, String... args) throws IOException {
        Map<String, byte[]> before = RunFiles.snapshot(dir);
        CliRun.assertUsage(expected, args);
        RunFiles.assertUnchanged(before, dir, String.join(" ", args));
    }

    @Test
    void aCheckpointStepThatIsNotAStepOfTheRunIsRefused() throws IOException {
        for (String step : List.of("abc", "99999999999", "-5", "21")) {
            Path dir = copy(add);
            CheckpointHeaders.setMetadata(dir.resolve(RunFolder.LATEST), "lengthgen.step", step);
            refused(dir, "step", "train", "--resume", dir.toString(), "--steps", "300");
            refused(dir, "step", "eval", "--run", dir.toString(), "--which", "latest");
        }
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused() throws IOException {
        Path dir = copy(add);
        Files.copy(mul.resolve(RunFolder.LATEST), dir.resolve(RunFolder.LATEST), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(mul.resolve(RunFolder.BEST), dir.resolve(RunFolder.BEST), StandardCopyOption.REPLACE_EXISTING);
        refused(dir, "belongs to another run than its folder's config.json (task \"mul\", not \"add\")", "train",
                "--resume", dir.toString(), "--steps", "30");
        refused(dir, "belongs to another run", "eval", "--run", dir.toString());

        // config.json edited to say mul: its flags still say add.
        Path edited = copy(add);
        Path config = edited.resolve(RunFolder.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"task\": \"add\"", "\"task\": \"mul\""));
        refused(edited, "says task is \"mul\" but its flags (args) make it \"add\"", "train", "--resume",
                edited.toString(), "--steps", "30");
        refused(edited, "says task is \"mul\"", "eval", "--run", edited.toString());

        // config.json rewritten as a mul run, flags and all: the add checkpoints do not belong to it.
        Path rewritten = copy(add);
        Files.copy(mul.resolve(RunFolder.CONFIG), rewritten.resolve(RunFolder.CONFIG),
                StandardCopyOption.REPLACE_EXISTING);
        refused(rewritten, "belongs to another run", "train", "--resume", rewritten.toString(), "--steps", "30");
        refused(rewritten, "belongs to another run", "eval", "--run", rewritten.toString());
    }

    @Test
    void flagsThatWouldChangeAResumedRunAreRefusedNamingWhatItHas() throws IOException {
        Path dir = copy(add);
        String resume = dir.toString();
        refused(dir, "--lr 0.5 conflicts with the run in " + dir + " (it has schedule.maxLr 0.001, not 0.5)",
                "train", "--resume", resume, "--lr", "0.5");
        refused(dir, "(it has model.dim 16, not 32)", "train", "--resume", resume, "--dim", "32");
        refused(dir, "(it has task \"add\", not \"mul\")", "train", "--resume", resume, "--task", "mul");
        refused(dir, "(it has eval_every 10, not 5)", "train", "--resume", resume, "--eval-every", "5");
        refused(dir, "--out does not go with --resume", "train", "--resume", resume, "--out",
                tmp.resolve("r2").toString());
        refused(dir, "--force does not go with --resume", "train", "--resume", resume, "--force");
        assertFalse(Files.exists(tmp.resolve("r2")));
        // A flag that agrees with the run is no conflict; --steps and where it computes may change.
        CliRun same = CliRun.of("train", "--resume", resume, "--lr", "1e-3", "--dim", "16", "--steps", "25",
                "--backend", "reference");
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("resuming " + dir + " at step 20 of 25"), same.out());
    }

    @Test
    void aBrokenRunDescriptionOrModelConfigIsOneLine() throws IOException {
        for (String[] broken : List.of(new String[]{"lengthgen.config", "{\"layers\": 1,"},
                new String[]{"lengthgen.config", "{\"layers\":\"abc\"}"},
                new String[]{"lengthgen.run", "{\"args\": [\"--task\","},
                new String[]{"lengthgen.run", "{\"args\":[\"--task\",\"add\"]}"})) {
            Path dir = copy(add);
            CheckpointHeaders.setMetadata(dir.resolve(RunFolder.LATEST), broken[0], broken[1]);
            for (String[] args : List.of(new String[]{"train", "--resume", dir.toString(), "--steps", "30"},
                    new String[]{"eval", "--run", dir.toString(), "--which", "latest"})) {
                Map<String, byte[]> before = RunFiles.snapshot(dir);
                CliRun r = CliRun.of(args);
                assertEquals(2, r.code(), broken[1] + ": " + r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertFalse(r.err().contains("https://") || r.err().contains("Exception"), r.err());
                assertTrue(r.err().contains(broken[0]), r.err());
                RunFiles.assertUnchanged(before, dir, broken[1]);
            }
        }
    }

    @Test
    void aMetricsLineThatIsNotTextIsRefusedByResumeAndSkippedByReports() throws IOException {
        Path dir = copy(add);
        Path metrics = dir.resolve(RunFolder.METRICS);
        byte[] bytes = Files.readAllBytes(metrics);
        bytes[3] = (byte) 0xff; // inside the first line's {"step":5...
        Files.write(metrics, bytes);
        refused(dir, "metrics.jsonl line 1 is not a metrics line", "train", "--resume", dir.toString(), "--steps",
                "30");
        // After the checkpoint's step a bad line is dropped with the others that resuming drops.
        Path later = copy(add);
        CheckpointHeaders.setMetadata(later.resolve(RunFolder.LATEST), "lengthgen.step", "10");
        CheckpointHeaders.setMetadata(later.resolve(RunFolder.LATEST), "lengthgen.best.step", "10");
        byte[] b = Files.readAllBytes(later.resolve(RunFolder.METRICS));
        b[b.length - 5] = (byte) 0xfe; // in the last line, step 20
        Files.write(later.resolve(RunFolder.METRICS), b);
        CliRun ok = CliRun.of("train", "--resume", later.toString(), "--steps", "20");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(List.of(5, 10, 15, 20), steps(later));
    }

    private static List<Integer> steps(Path run) throws IOException {
        return Files.readAllLines(run.resolve(RunFolder.METRICS)).stream()
                .map(l -> Integer.parseInt(l.replaceAll("^\\{\"step\":(\\d+),.*", "$1"))).toList();
    }

    @Test
    void aBrokenConfigJsonIsOneLineInOurWords() throws IOException {
        for (String text : List.of("{\"args\": [", "not json", "[]", "{\"args\": \"--task add\"}", "{}")) {
            Path dir = copy(add);
            Files.writeString(dir.resolve(RunFolder.CONFIG), text);
            for (String[] args : List.of(new String[]{"train", "--resume", dir.toString(), "--steps", "30"},
                    new String[]{"eval", "--run", dir.toString()})) {
                Map<String, byte[]> before = RunFiles.snapshot(dir);
                CliRun r = CliRun.of(args);
                assertEquals(2, r.code(), text + ": " + r.err());
                String err = r.err().strip();
                assertEquals(1, err.lines().count(), err);
                assertTrue(err.contains(RunFolder.CONFIG), err);
                assertFalse(err.contains("Exception") || err.contains("com.google") || err.contains("https://"), err);
                RunFiles.assertUnchanged(before, dir, text);
            }
        }
    }

    @Test
    void aFlagGivenWithoutItsOptionalValueIsStoredSoThatTheRunResumes() throws IOException {
        Path out = tmp.resolve("random-padding");
        List<String> a = new ArrayList<>(List.of("train", "--task", "add", "--random-padding"));
        a.addAll(T);
        a.addAll(List.of("--out", out.toString()));
        assertEquals(0, CliRun.of(a.toArray(new String[0])).code());
        assertFalse(Files.readString(out.resolve(RunFolder.CONFIG)).contains("null"), "no null among the flags");
        CliRun r = CliRun.of("train", "--resume", out.toString(), "--steps", "30");
        assertEquals(0, r.code(), r.err());
    }
}

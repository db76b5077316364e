package dev.lengthgen.runner.run;

import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.LengthgenProcess;
import dev.lengthgen.runner.TrainArgs;
import dev.lengthgen.runner.cli.JsonText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer per run folder: two launches into one folder, a resume of a run that is training, and a reader of a live
 * run's checkpoint.
 */
class ConcurrentWritersTest {
    /** About 3 s in a fresh JVM: long enough for the second process to arrive while the first trains. */
    private static final List<String> RUN = List.of("--task", "add", "--width", "3", "--train-digits", "1-2",
            "--test-digits", "1-3", "--layers", "1", "--heads", "2", "--dim", "16", "--batch", "8", "--steps", "300",
            "--eval-every", "10", "--log-every", "10", "--eval-samples", "20", "--backend", "reference");

    @TempDir
    Path tmp;

    private static String[] train(String... more) {
        return TrainArgs.train(RUN, more);
    }

    @Test
    void ofTwoLaunchesIntoOneFolderExactlyOneWins() throws Exception {
        for (int round = 0; round < 2; round++) {
            Path dir = tmp.resolve("same" + round);
            // Different seeds, so that a folder holding files of both would show.
            LengthgenProcess a = LengthgenProcess.start(train("--seed", "1", "--out", dir.toString()));
            LengthgenProcess b = LengthgenProcess.start(train("--seed", "2", "--out", dir.toString()));
            int codeA = a.waitFor(120), codeB = b.waitFor(120);
            assertEquals(List.of(0, 2), List.of(Math.min(codeA, codeB), Math.max(codeA, codeB)),
                    "exactly one wins: " + a.err() + " / " + b.err());
            LengthgenProcess winner = codeA == 0 ? a : b, loser = codeA == 0 ? b : a;
            String refusal = loser.err().strip();
            assertEquals(1, refusal.lines().count(), refusal);
            assertTrue(refusal.contains("being written by another lengthgen process (pid " + winner.pid() + ")")
                    || refusal.contains("already holds files"), refusal);
            assertEquals("", loser.out(), "the loser printed nothing: it started nothing");
            // Everything in the folder is the winner's run.
            String seed = codeA == 0 ? "1" : "2";
            Path configFile = dir.resolve(RunFolder.CONFIG);
            TrainSettings config = RunDescription.read(JsonText.readObject(configFile, ""), "", "").settings();
            assertEquals(Long.parseLong(seed), config.seed());
            for (String f : List.of(RunFolder.LATEST, RunFolder.BEST)) { // refused if of another run
                try (RunCheckpoint ck = RunCheckpoint.open(dir.resolve(f), config, true, "")) {
                    assertTrue(ck.step() > 0, f);
                }
            }
            assertEquals(List.of(".lock", RunFolder.BEST, RunFolder.CONFIG, RunFolder.LATEST, RunFolder.METRICS),
                    RunFiles.names(dir));
        }
    }

    @Test
    void aRunThatIsTrainingRefusesASecondWriterAndServesReaders() throws Exception {
        Path straight = tmp.resolve("straight"), live = tmp.resolve("live");
        assertEquals(0, CliRun.of(train("--out", straight.toString())).code());
        LengthgenProcess p = LengthgenProcess.start(train("--out", live.toString()));
        assertTrue(p.awaitOutput("\"val_loss\"", 60_000), p.err()); // a checkpoint exists
        // A resume of the live run: refused, naming the process that trains it; the run goes on untouched.
        CliRun.assertUsage("being written by another lengthgen process (pid " + p.pid() + ")", "train", "--resume",
                live.toString(), "--steps", "400");
        CliRun.assertUsage("pid " + p.pid(), train("--out", live.toString(), "--force"));
        // Readers need no lock: every evaluation of the live run's latest checkpoint reads one whole file.
        int evaluations = 0;
        while (p.isAlive() && evaluations < 20) {
            CliRun e = CliRun.of("eval", "--run", live.toString(), "--which", "latest", "--count", "5", "--json",
                    "--backend", "reference", "--out", tmp.resolve("evals").toString());
            assertEquals(0, e.code(), e.err());
            evaluations++;
        }
        assertEquals(0, p.waitFor(120), p.err());
        assertTrue(evaluations > 0);
        RunFiles.assertSameRun(straight, live);
    }

    @Test
    void anOpenCheckpointIsReadWholeWhileItsFileIsReplaced() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        assertEquals(0, CliRun.of(train("--steps", "10", "--out", a.toString())).code());
        assertEquals(0, CliRun.of(train("--steps", "10", "--seed", "3", "--out", b.toString())).code());
        Path file = a.resolve(RunFolder.LATEST);
        try (RunCheckpoint open = RunCheckpoint.open(file, null, true, "")) {
            GptModel expected = load(b.resolve(RunFolder.LATEST)); // not read yet: b's weights differ from a's
            byte[] before = Files.readAllBytes(file);
            // A live run saves its next checkpoint: a new file renamed over the one being read.
            Path next = a.resolve(".latest.safetensors.1.tmp");
            Files.copy(b.resolve(RunFolder.LATEST), next);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            GptModel m = new GptModel(open.checkpoint().config(), new ReferenceBackend());
            open.checkpoint().loadParameters(m);
            float[] read = m.downloadParameters();
            assertFalse(Arrays.equals(read, expected.downloadParameters()), "not the file renamed over it");
            Path copy = tmp.resolve("copy.safetensors");
            Files.write(copy, before);
            assertArrayEquals(load(copy).downloadParameters(), read, "the file as it was when opened");
        }
    }

    private static GptModel load(Path file) throws Exception {
        try (RunCheckpoint ck = RunCheckpoint.open(file, null, false, "")) {
            GptModel m = new GptModel(ck.checkpoint().config(), new ReferenceBackend());
            ck.checkpoint().loadParameters(m);
            return m;
        }
    }
}

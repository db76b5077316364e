package dev.lengthgen.runner.run;

import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.TrainArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replacing a run (--force): the old run's files wait aside until the new one has started, and come back if not. */
class RunFolderTest {
    private static final List<String> RUN = List.of("--task", "add", "--width", "3", "--train-digits", "1-2",
            "--layers", "1", "--heads", "2", "--dim", "16", "--batch", "8", "--steps", "20", "--eval-every", "10",
            "--eval-samples", "10", "--backend", "reference");

    @TempDir
    Path tmp;

    @Test
    void aReplacementThatDoesNotStartPutsTheOldRunBack() throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(TrainArgs.train(RUN, "--out", run.toString())).code());
        Map<String, byte[]> before = RunFiles.snapshot(run);

        // Refused after the files were moved aside (a failure before config.json): abandoned, put back.
        RunFolder folder = RunFolder.lock(run);
        folder.prepareNewRun(true);
        assertFalse(Files.exists(run.resolve(RunFolder.CONFIG)), "moved aside");
        folder.abandon();
        RunFiles.assertUnchanged(before, run, "an abandoned replacement");

        // Killed after the files were moved aside: the next process to open the folder puts them back, so the old
        // run resumes.
        try (RunFolder killed = RunFolder.lock(run)) {
            killed.prepareNewRun(true);
        }
        assertTrue(Files.isDirectory(run.resolve(RunFolder.REPLACED)));
        CliRun r = CliRun.of("train", "--resume", run.toString(), "--steps", "30");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resuming " + run + " at step 20 of 30"), r.out());
        assertFalse(Files.exists(run.resolve(RunFolder.REPLACED)));

        // Killed after the new run wrote its config.json: the old files go.
        try (RunFolder started = RunFolder.lock(run)) {
            started.prepareNewRun(true);
            Files.writeString(run.resolve(RunFolder.CONFIG), "{}");
        }
        CliRun fresh = CliRun.of(TrainArgs.train(RUN, "--out", run.toString(), "--force"));
        assertEquals(0, fresh.code(), fresh.err());
        assertEquals(List.of(".lock", RunFolder.BEST, RunFolder.CONFIG, RunFolder.LATEST, RunFolder.METRICS),
                RunFiles.names(run));
    }
}

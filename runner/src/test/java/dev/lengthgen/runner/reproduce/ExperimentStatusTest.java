package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.run.RunFiles;
import dev.lengthgen.runner.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code reproduce NAME --out DIR --status} from the folder alone (the tests module adds a real Slurm's view). */
class ExperimentStatusTest {
    @TempDir
    Path tmp;

    @Test
    void showsEachRunDoneRunningPendingOrFailedWithTheLastLineOfAFailedRunsLog() throws Exception {
        Path exp = tmp.resolve("exp");
        CliRun local = CliRun.of("reproduce", "modular-addition", "--moduli", "100", "--seeds", "4", "--steps", "3",
                "--eval-count", "3", "--backend", "cpu", "--threads", "1", "--out", exp.toString());
        assertEquals(0, local.code(), local.err());
        Path runs = exp.resolve("runs");
        for (String id : new String[]{"p100-seed1", "p100-seed2", "p100-seed3"}) {
            Files.delete(runs.resolve(id).resolve(ExperimentDirectory.RESULT));
        }
        Files.writeString(runs.resolve("p100-seed1").resolve(ExperimentDirectory.LOG), ExperimentRunner.FAILED
                + "the training loss became NaN at step 3\n", StandardOpenOption.APPEND);
        Files.delete(runs.resolve("p100-seed3").resolve(ExperimentDirectory.LOG));
        Map<String, byte[]> before = RunFiles.snapshot(exp);
        RunFolder held = RunFolder.lock(runs.resolve("p100-seed2")); // as a process that trains it
        CliRun r;
        try {
            r = CliRun.of("reproduce", "modular-addition", "--out", exp.toString(), "--status");
        } finally {
            held.close();
        }
        assertEquals(0, r.code(), r.err());
        RunFiles.assertUnchanged(before, exp, "--status");
        String out = r.out();
        int version = ExperimentCatalog.named("modular-addition").version();
        assertTrue(out.startsWith("modular-addition v" + version + " (tiny scale) in " + exp + ": 4 runs: 1 done, "
                + "1 running, 1 pending, 1 failed\n"), out);
        assertTrue(out.matches("(?s).*\n  p100-seed0  done +3/3 .*"), out);
        assertTrue(out.matches("(?s).*\n  p100-seed1  failed +3/3 .*\n      last line of its train.log: failed: the "
                + "training loss became NaN at step 3\n.*"), out);
        assertTrue(out.matches("(?s).*\n  p100-seed2  running +3/3 .*\n      written by pid "
                + ProcessHandle.current().pid() + "\n.*"), out);
        assertTrue(out.matches("(?s).*\n  p100-seed3  pending +3/3 .*"), out);
    }

    @Test
    void aFolderThatHoldsNoSuchExperimentIsOneLineWithExitTwo() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun.assertUsage("holds no experiment (no experiment.json)", "reproduce", "modular-addition", "--out",
                empty.toString(), "--status");
        CliRun.assertUsage("holds no experiment", "reproduce", "modular-addition", "--out",
                tmp.resolve("missing").toString(), "--status");
        CliRun.assertUsage("--steps does not go with --status", "reproduce", "modular-addition", "--out",
                empty.toString(), "--status", "--steps", "3");
        Path exp = tmp.resolve("exp");
        assertEquals(0, CliRun.of("reproduce", "modular-addition", "--moduli", "100", "--seeds", "1", "--steps", "2",
                "--eval-count", "3", "--backend", "cpu", "--threads", "1", "--out", exp.toString()).code());
        CliRun.assertUsage("holds experiment modular-addition (scale tiny), not addition-ape", "reproduce",
                "addition-ape", "--out", exp.toString(), "--status");
        CliRun.assertUsage("not modular-addition (scale paper)", "reproduce", "modular-addition", "--scale", "paper",
                "--out", exp.toString(), "--status");
        assertTrue(Files.list(empty).findAny().isEmpty(), "nothing written");
    }
}

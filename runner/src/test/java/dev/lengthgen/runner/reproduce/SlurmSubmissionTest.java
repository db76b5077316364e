package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.LengthgenProcess;
import dev.lengthgen.runner.run.RunFiles;
import dev.lengthgen.runner.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reproduce NAME --slurm} without a cluster: the job scripts and sbatch commands of --dry-run (which writes
 * nothing), the refusals of bad Slurm flags, and the array script itself run by bash as Slurm would run it, with its
 * signals: the time-limit warning (SIGUSR1) is passed on to the run, which checkpoints and exits with 75, and the
 * script requeues its task; SIGTERM stops the run the same way and is left to Slurm. The tests in the tests module
 * submit to a real Slurm.
 */
class SlurmSubmissionTest {
    private static final List<String> EXPERIMENT = List.of("modular-addition", "--moduli", "100", "--seeds", "1",
            "--steps", "120", "--eval-count", "20", "--backend", "cpu", "--threads", "1");
    private static final String RUN = "p100-seed0";

    @TempDir
    Path tmp;

    private static String[] reproduce(Path out, List<String> experiment, String... more) {
        List<String> a = new ArrayList<>(List.of("reproduce"));
        a.addAll(experiment);
        a.addAll(List.of("--out", out.toString()));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    /** The text a dry run prints for one script: after its "==> PATH <==" line, up to the next such line. */
    private static String script(String dryRun, Path file) {
        int start = dryRun.indexOf("==> " + file + " <==\n");
        assertTrue(start >= 0, "lists " + file + ": " + dryRun);
        start = dryRun.indexOf('\n', start) + 1;
        return dryRun.substring(start, dryRun.indexOf("\n==> ", start) + 1);
    }

    /** Whether bash reads a script without a syntax error (bash -n). */
    private static void assertBashReads(String script) throws Exception {
        Path f = Files.createTempFile("lengthgen", ".sbatch");
        try {
            Files.writeString(f, script);
            Process p = new ProcessBuilder("bash", "-n", f.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void aDryRunPrintsTheJobScriptsAndSbatchCommandsOfTheUnfinishedRunsAndWritesNothing() throws Exception {
        Path exp = tmp.resolve("exp");
        List<String> three = List.of("modular-addition", "--moduli", "100", "--seeds", "3", "--steps", "2",
                "--eval-count", "3", "--backend", "cpu", "--threads", "1");
        CliRun local = CliRun.of(reproduce(exp, three));
        assertEquals(0, local.code(), local.err());
        Files.delete(exp.resolve("runs/p100-seed1/result.json")); // one run unfinished, two done
        Files.delete(exp.resolve("runs/p100-seed2/result.json"));
        Map<String, byte[]> before = RunFiles.snapshot(exp);

        CliRun r = CliRun.of(reproduce(exp, three, "--slurm", "--dry-run", "--partition", "cpu", "--time", "01:00:00",
                "--gres", "gpu:1", "--cpus-per-task", "2", "--mem", "4G", "--account", "lab", "--max-parallel", "1",
                "--slurm-arg=--qos=long", "--slurm-arg", "--constraint=avx512"));
        assertEquals(0, r.code(), r.err());
        RunFiles.assertUnchanged(before, exp, "a dry run");
        Path abs = exp.toAbsolutePath().normalize();
        String out = r.out();
        assertTrue(out.startsWith("dry run: 2 of the 3 runs of modular-addition would be submitted"), out);
        String array = script(out, abs.resolve("slurm/run-1.sbatch"));
        String report = script(out, abs.resolve("slurm/report-1.sbatch"));
        for (String line : List.of("#!/bin/bash", "#SBATCH --job-name=lengthgen-modular-addition",
                "#SBATCH --array=0-1%1", "#SBATCH --partition=cpu", "#SBATCH --account=lab", "#SBATCH --time=01:00:00",
                "#SBATCH --gres=gpu:1", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=4G", "#SBATCH --qos=long",
                "#SBATCH --constraint=avx512", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@120",
                "#SBATCH --open-mode=append", "#SBATCH --output=" + abs + "/slurm/logs/%A_%a.out", "exp=" + abs,
                "java=" + Path.of(System.getProperty("java.home"), "bin", "java"), "  p100-seed1 p100-seed2",
                "  scontrol requeue \"$task\"")) {
            assertTrue(array.contains(line + "\n"), "the array script has '" + line + "':\n" + array);
        }
        assertTrue(array.replace(" \\\n  ", " ").contains("reproduce modular-addition --moduli 100 --seeds 3 "
                + "--steps 2 --eval-count 3 --backend cpu --threads 1 --out \"$exp\" --run \"$run\" &\n"), array);
        assertTrue(array.startsWith("#!/bin/bash\n# lengthgen reproduce modular-addition --moduli 100 --seeds 3 "),
                array);
        assertFalse(array.contains("--dry-run") || array.contains("p100-seed0"), array);
        for (String line : List.of("#SBATCH --partition=cpu", "#SBATCH --account=lab",
                "#SBATCH --output=" + abs + "/slurm/logs/report-%j.out", "  report \"$exp\"")) {
            assertTrue(report.contains(line + "\n"), "the report script has '" + line + "':\n" + report);
        }
        assertFalse(report.contains("#SBATCH --gres") || report.contains("#SBATCH --time")
                || report.contains("#SBATCH --array") || report.contains("#SBATCH --qos"), report);
        assertTrue(out.contains("ARRAY=$(sbatch --parsable " + abs + "/slurm/run-1.sbatch)\n"), out);
        assertTrue(out.contains("sbatch --parsable --dependency=afterany:$ARRAY --kill-on-invalid-dep=yes " + abs
                + "/slurm/report-1.sbatch\n"), out);
        assertBashReads(array);
        assertBashReads(report);

        // Nothing unfinished: nothing to submit.
        CliRun none = CliRun.of(reproduce(exp, List.of("modular-addition", "--moduli", "100", "--seeds", "1",
                "--steps", "2", "--eval-count", "3", "--backend", "cpu", "--threads", "1"), "--slurm", "--dry-run"));
        assertEquals(0, none.code(), none.err());
        assertTrue(none.out().contains("are finished: nothing to submit"), none.out());
    }

    @Test
    void badSlurmFlagsAreOneLineWithExitTwoAndWriteNothing() throws Exception {
        Path out = tmp.resolve("x");
        for (String flag : List.of("--partition", "--time", "--gres", "--cpus-per-task", "--mem", "--account",
                "--max-parallel", "--slurm-arg")) {
            CliRun.assertUsage(flag + " goes with --slurm", reproduce(out, EXPERIMENT, flag, "1"));
        }
        CliRun.assertUsage("--dry-run goes with --slurm", reproduce(out, EXPERIMENT, "--dry-run"));
        String[][] refused = {
            {"--jobs does not go with --slurm: drop it (--max-parallel K", "--jobs", "2"},
            {"--json does not go with --slurm", "--json"},
            {"--slurm and --status do not go together", "--status"},
            {"--time takes HH:MM:SS", "--time", "1h"},
            {"--time takes HH:MM:SS with minutes and seconds below 60", "--time", "01:75:00"},
            {"--time 00:02:00 leaves a run no time", "--time", "00:02:00"},
            {"--time 4 leaves a run no time", "--time", "4"},
            {"--mem takes a size", "--mem", "lots"},
            {"--cpus-per-task must be between 1 and", "--cpus-per-task", "0"},
            {"--max-parallel needs a whole number", "--max-parallel", "two"},
            {"--partition takes a Slurm name without spaces", "--partition", "gpu a100"},
            {"--slurm-arg takes sbatch options", "--slurm-arg", "qos=long"},
            {"each goes into an #SBATCH line as it is", "--slurm-arg=--comment=a b"},
            {"lengthgen sets --array itself", "--slurm-arg=--array=0-3"},
            {"lengthgen sets -p itself", "--slurm-arg=-pgpu"},
        };
        for (String[] c : refused) {
            List<String> more = new ArrayList<>(List.of("--slurm", "--dry-run"));
            more.addAll(Arrays.asList(c).subList(1, c.length));
            CliRun.assertUsage(c[0], reproduce(out, EXPERIMENT, more.toArray(new String[0])));
        }
        CliRun.assertUsage("whose path has no spaces, quotes or '%'",
                reproduce(tmp.resolve("a b"), EXPERIMENT, "--slurm", "--dry-run"));
        CliRun.assertUsage("whose path has no spaces, quotes or '%'",
                reproduce(tmp.resolve("100%"), EXPERIMENT, "--slurm", "--dry-run"));
        assertFalse(Files.exists(out) || Files.exists(tmp.resolve("a b")) || Files.exists(tmp.resolve("100%")));

        // Without sbatch on PATH a real submission is refused; --dry-run still shows the scripts.
        LengthgenProcess p = LengthgenProcess.start(Map.of("PATH", tmp.resolve("empty").toString()),
                reproduce(out, EXPERIMENT, "--slurm"));
        assertEquals(2, p.waitFor(60), p.err());
        assertEquals("lengthgen reproduce: --slurm needs Slurm's sbatch, which is not on PATH: run this on a node "
                + "that submits jobs, or add --dry-run to see the job scripts", p.err().strip());
        assertEquals("", p.out());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void theArrayScriptPassesTheTimeLimitWarningToTheRunAndRequeuesItsTask() throws Exception {
        Path expected = tmp.resolve("local").resolve("runs").resolve(RUN);
        CliRun local = CliRun.of(reproduce(tmp.resolve("local"), EXPERIMENT));
        assertEquals(0, local.code(), local.err());

        Path exp = tmp.resolve("exp").toAbsolutePath();
        CliRun dry = CliRun.of(reproduce(exp, EXPERIMENT, "--slurm", "--dry-run"));
        assertEquals(0, dry.code(), dry.err());
        Path script = tmp.resolve("run.sbatch");
        Files.writeString(script, script(dry.out(), exp.resolve("slurm/run-1.sbatch")));
        // The folder as a submission leaves it, and an scontrol that records what it is asked.
        Files.createDirectories(exp.resolve("runs"));
        Files.writeString(exp.resolve(ExperimentDirectory.MANIFEST), Files.readString(tmp.resolve("local")
                .resolve(ExperimentDirectory.MANIFEST)));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path calls = tmp.resolve("scontrol.calls");
        Files.writeString(bin.resolve("scontrol"), "#!/bin/bash\necho \"$*\" >> " + calls + "\n");
        Files.setPosixFilePermissions(bin.resolve("scontrol"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = exp.resolve("runs").resolve(RUN);

        // The time-limit warning: USR1 to the batch shell alone.
        String first = runScript(script, bin, run, "USR1");
        assertEquals("requeue 7_0\n", Files.readString(calls), first);
        assertTrue(first.contains("SIGUSR1: stopping at the next step boundary"), first);
        assertTrue(first.contains("lengthgen: run p100-seed0 stopped before the time limit; requeueing task 7_0"),
                first);
        // A preemption or requeue: TERM to the shell (and, from Slurm, to the run); Slurm requeues it itself.
        String second = runScript(script, bin, run, "TERM");
        assertEquals("requeue 7_0\n", Files.readString(calls), "no second requeue: " + second);
        assertTrue(second.contains("SIGTERM: stopping at the next step boundary"), second);
        // The requeued task resumes and finishes.
        String last = runScript(script, bin, run, null);
        assertTrue(last.contains("resuming at step"), last);
        RunFiles.assertSameRun(expected, run);
        assertEquals(SingleRunTest.resultWithoutTiming(expected), SingleRunTest.resultWithoutTiming(run));
    }

    /**
     * Runs the array script as Slurm runs task 0 of array 7 (restart 0), sending the batch shell {@code signal} once
     * the run has logged a step; returns what it printed. Stopped by a signal it must exit with 75, else with 0.
     */
    private static String runScript(Path script, Path bin, Path run, String signal) throws Exception {
        ProcessBuilder b = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        b.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        b.environment().put("SLURM_ARRAY_JOB_ID", "7");
        b.environment().put("SLURM_ARRAY_TASK_ID", "0");
        Path log = script.resolveSibling("task.out");
        b.redirectOutput(log.toFile());
        Process p = b.start();
        if (signal != null) {
            Path metrics = run.resolve(RunFolder.METRICS);
            String seen = Files.exists(metrics) ? Files.readString(metrics) : "";
            long end = System.nanoTime() + 120_000_000_000L;
            while (p.isAlive() && System.nanoTime() < end
                    && (!Files.exists(metrics) || Files.readString(metrics).length() <= seen.length())) {
                Thread.sleep(5); // until a new metrics line: the run is training
            }
            new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid())).start().waitFor();
        }
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the script ended: " + read(log));
        assertEquals(signal == null ? 0 : 75, p.exitValue(), read(log));
        return read(log);
    }

    private static String read(Path f) throws IOException {
        return Files.exists(f) ? Files.readString(f) : "";
    }
}

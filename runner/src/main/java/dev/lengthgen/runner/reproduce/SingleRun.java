package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.RunLock;
import dev.lengthgen.runner.run.StopSignals;
import dev.lengthgen.runner.run.TrainSettings;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code lengthgen reproduce NAME --out DIR --run ID}: trains (or resumes) and evaluates one run of an experiment in
 * its folder, exactly as a local {@code reproduce} of the whole grid trains it, and writes nothing else of the
 * experiment (no report). It is what each task of a Slurm job array runs. SIGTERM, SIGINT and SIGUSR1 stop the run at
 * its next step boundary with its checkpoint saved, and the process exits with {@link Command#EXIT_STOPPED}; run
 * again, it continues from there.
 */
final class SingleRun {
    /**
     * How long a run under Slurm waits for its folder's lock when another process holds it: a task on a node that
     * died can hold it until the file system gives it up (an NFSv4 lease, 90 s by default on Linux servers; until
     * Lustre evicts the client), and a task requeued after it should then wait rather than fail.
     */
    private static final long LOCK_WAIT_UNDER_SLURM_S = 180;
    private static final long LOCK_RETRY_MILLIS = 2000;
    private static final List<String> STOP_SIGNALS = List.of("TERM", "INT", "USR1");

    private SingleRun() {
    }

    static int run(Experiment experiment, ExperimentOptions options, Path out0, List<RunPlan> plans, String id,
                   PrintStream out) throws Exception {
        RunPlan plan = plans.stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
        if (plan == null) {
            throw new UsageException("--run " + id + ": " + experiment.name() + " with these options has no such run "
                    + "(it has " + ids(plans) + ")");
        }
        ExperimentDirectory dir = ExperimentDirectory.check(out0, experiment, options.scale());
        ExperimentRunner runner = new ExperimentRunner(dir, options, 1);
        List<TrainSettings> settings = runner.prepare(List.of(plan));
        if (dir.finished(id)) {
            out.println("run " + id + " of " + dir.dir + " is finished (it has " + ExperimentDirectory.RESULT
                    + "): nothing to do");
            return Command.EXIT_OK;
        }
        boolean existed = Files.exists(out0);
        dir.create();
        RunFolder folder = null;
        Map<String, Integer> resumeSteps;
        try {
            folder = lock(dir.runDir(id), out);
            resumeSteps = runner.resumeSteps(List.of(plan), settings, Map.of(id, folder));
        } catch (UsageException | InterruptedException e) {
            if (folder != null) {
                folder.abandon();
            }
            if (!existed) {
                dir.removeIfEmpty();
            }
            throw e;
        }
        try (RunFolder locked = folder) {
            if (!dir.hasManifest()) {
                dir.writeManifest(experiment, options.scale(), plans);
            }
            TrainSettings s = settings.get(0);
            try (StopSignals signals = StopSignals.install(STOP_SIGNALS, out);
                 ExperimentProgress progress = new ExperimentProgress(experiment.name(), out, false, 1, s.steps(), 0,
                         resumeSteps.get(id), s.evalEvery())) {
                ExperimentRunner.Outcome outcome = runner.runOne(plan, s, locked, progress, signals.request());
                return switch (outcome) {
                    case FINISHED -> Command.EXIT_OK;
                    case STOPPED -> Command.EXIT_STOPPED;
                    case DIVERGED -> Command.EXIT_FAILURE;
                };
            }
        }
    }

    /**
     * The run's folder, locked. Under Slurm (SLURM_JOB_ID is set) a lock that another process holds is waited for, up
     * to {@link #LOCK_WAIT_UNDER_SLURM_S} s; elsewhere it is refused at once, as every writer of a run refuses.
     */
    private static RunFolder lock(Path runDir, PrintStream out) throws UsageException, InterruptedException {
        long wait = System.getenv("SLURM_JOB_ID") == null ? 0 : LOCK_WAIT_UNDER_SLURM_S;
        long end = System.nanoTime() + wait * 1_000_000_000L;
        boolean said = false;
        while (true) {
            try {
                return RunFolder.lock(runDir);
            } catch (RunLock.HeldException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                if (!said) {
                    out.println(e.getMessage().replaceFirst(": wait for it.*", "") + "; waiting up to " + wait
                            + " s for it to let go");
                    said = true;
                }
                Thread.sleep(LOCK_RETRY_MILLIS);
            }
        }
    }

    /** The ids of the plans, the first few of a long list. */
    private static String ids(List<RunPlan> plans) {
        String shown = plans.stream().limit(8).map(RunPlan::id).collect(Collectors.joining(", "));
        return plans.size() > 8 ? shown + ", ... (" + plans.size() + " runs)" : shown;
    }
}

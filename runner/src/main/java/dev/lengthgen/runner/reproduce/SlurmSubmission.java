package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.RunLock;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.runner.slurm.JavaLaunch;
import dev.lengthgen.runner.slurm.JobScripts;
import dev.lengthgen.runner.slurm.Slurm;
import dev.lengthgen.runner.slurm.SlurmOptions;
import dev.lengthgen.runner.slurm.SubmissionLog;
import dev.lengthgen.runner.slurm.TaskState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code lengthgen reproduce NAME --slurm}: prepares the experiment folder as a local reproduce does (experiment.json,
 * a plan.json per run), then submits the runs without result.json as one Slurm job array, each task running
 * {@code reproduce NAME --out DIR --run ID} with the same options, and a job that writes the report once the array has
 * ended, however its tasks ended ({@code afterany}). Rerun after failures, it submits exactly the runs still missing.
 * The tasks run a copy of this lengthgen's jar kept in the folder (so a rebuild cannot change a sweep halfway), with
 * this JVM's java and flags. With --dry-run it prints the scripts and sbatch commands and writes nothing.
 */
final class SlurmSubmission {
    /** An experiment folder's path goes into #SBATCH lines, which take no quotes; '%' would be a Slurm pattern. */
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9._,+/@=:-]+");

    private final Experiment experiment;
    private final ExperimentOptions options;
    private final Path out0;
    private final List<RunPlan> plans;
    private final SlurmOptions slurm;
    private final List<String> flags;
    private final String commandLine;

    /**
     * @param flags       the experiment's options as given, which every task repeats
     * @param commandLine the command as given, for the scripts' first comment line
     */
    SlurmSubmission(Experiment experiment, ExperimentOptions options, Path out0, List<RunPlan> plans,
                    SlurmOptions slurm, List<String> flags, String commandLine) {
        this.experiment = experiment;
        this.options = options;
        this.out0 = out0;
        this.plans = plans;
        this.slurm = slurm;
        this.flags = flags;
        this.commandLine = commandLine;
    }

    int submit(boolean dryRun, PrintStream out) throws Exception {
        if (!dryRun && !Slurm.onPath("sbatch")) {
            throw new UsageException("--slurm needs Slurm's sbatch, which is not on PATH: run this on a node that "
                    + "submits jobs, or add --dry-run to see the job scripts");
        }
        Path exp = out0.toAbsolutePath().normalize();
        if (!PLAIN_PATH.matcher(exp.toString()).matches()) {
            throw new UsageException("--slurm needs an experiment folder whose path has no spaces, quotes or '%' "
                    + "(it goes into #SBATCH lines), got '" + exp + "': choose another --out");
        }
        ExperimentDirectory dir = ExperimentDirectory.check(exp, experiment, options.scale());
        ExperimentRunner runner = new ExperimentRunner(dir, options, 1);
        List<TrainSettings> settings = runner.prepare(plans);
        List<RunPlan> unfinished = new ArrayList<>();
        for (RunPlan p : plans) {
            if (!dir.finished(p.id())) {
                unfinished.add(p);
            }
        }
        if (unfinished.isEmpty()) {
            out.println("all " + plans.size() + " runs of " + experiment.name() + " in " + exp + " are finished: "
                    + "nothing to submit (the report: lengthgen report " + exp + ")");
            return Command.EXIT_OK;
        }
        Path slurmDir = exp.resolve(ExperimentDirectory.SLURM);
        Path jobsFile = slurmDir.resolve(ExperimentDirectory.JOBS);
        List<SubmissionLog.Submission> earlier = SubmissionLog.read(jobsFile);
        refuseRunsStillInSlurm(unfinished, earlier, exp);
        for (RunPlan p : unfinished) {
            if (RunLock.heldByAnother(dir.runDir(p.id()))) {
                throw new UsageException(dir.runDir(p.id()) + " is being written by another lengthgen process ("
                        + RunLock.lastHolder(dir.runDir(p.id())) + "): wait for it to finish, or stop it first");
            }
        }

        int number = earlier.size() + 1;
        JavaLaunch launch = JavaLaunch.current();
        String jarName = launch.jarCopyName();
        Path jar = jarName == null ? null : slurmDir.resolve(jarName);
        List<String> runIds = unfinished.stream().map(RunPlan::id).toList();
        JobScripts scripts = new JobScripts(commandLine, exp, experiment.name(), launch, jar, flags, runIds, slurm);
        Path arrayScript = slurmDir.resolve("run-" + number + ".sbatch");
        Path reportScript = slurmDir.resolve("report-" + number + ".sbatch");
        List<String> reportOptions = List.of("--dependency=afterany:$ARRAY", "--kill-on-invalid-dep=yes");
        if (dryRun) {
            out.println("dry run: " + unfinished.size() + " of the " + plans.size() + " runs of " + experiment.name()
                    + " would be submitted; nothing was written or submitted");
            out.println("==> " + arrayScript + " <==");
            out.print(scripts.array());
            out.println("==> " + reportScript + " <==");
            out.print(scripts.report());
            out.println("==> the sbatch commands (ARRAY: the job id that the first prints) <==");
            out.println("ARRAY=$(sbatch --parsable " + arrayScript + ")");
            out.println("sbatch --parsable " + String.join(" ", reportOptions) + " " + reportScript);
            return Command.EXIT_OK;
        }
        String refusal = Slurm.refusal(scripts.array(), List.of());
        if (refusal != null) {
            throw new UsageException("Slurm would not take the job array (sbatch --test-only: " + refusal + "): check "
                    + "--partition, --gres, --account, --time, --mem, --cpus-per-task and --slurm-arg");
        }

        Map<String, RunFolder> folders = runner.lockAndCheck(plans, settings).folders();
        try {
            dir.writeManifest(experiment, options.scale(), plans);
            for (RunPlan p : unfinished) {
                AtomicFile.write(dir.runDir(p.id()).resolve(ExperimentDirectory.PLAN),
                        ExperimentDirectory.GSON.toJson(p.toJson()));
            }
            try {
                Files.createDirectories(JobScripts.logs(exp));
                if (jar != null) {
                    launch.copyJarTo(jar);
                }
            } catch (IOException e) {
                throw new FileWriteException(slurmDir, e);
            }
            AtomicFile.write(arrayScript, scripts.array());
            AtomicFile.write(reportScript, scripts.report());
        } finally {
            folders.values().forEach(RunFolder::close); // the tasks take them
        }

        String array = Slurm.submit(arrayScript, List.of());
        String report = null;
        IOException reportFailure = null;
        try {
            report = Slurm.submit(reportScript, List.of("--dependency=afterany:" + array, "--kill-on-invalid-dep=yes"));
        } catch (IOException e) {
            reportFailure = e;
        }
        SubmissionLog.append(jobsFile, new SubmissionLog.Submission(Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .toString(), array, report, exp.relativize(arrayScript).toString(), runIds));
        String parallel = slurm.maxParallel() == null ? "" : ", at most " + slurm.maxParallel() + " at a time";
        out.printf("%s (v%d, %s scale): submitted %d of its %d runs to Slurm as job array %s%s%n",
                experiment.name(), experiment.version(), options.scale().cliName(), unfinished.size(), plans.size(),
                array, parallel);
        if (reportFailure != null) {
            out.println("the report job was not submitted (" + reportFailure.getMessage() + "): once the array has "
                    + "ended, write the report with: lengthgen report " + exp);
        } else {
            out.println("report job " + report + " writes " + exp.resolve("report.html") + " once the array has "
                    + "ended");
        }
        out.println("scripts: " + arrayScript + ", " + reportScript + "; logs: " + JobScripts.logs(exp));
        out.println("watch: lengthgen reproduce " + experiment.name() + " --out " + exp + " --status   (or: squeue -j "
                + array + (report == null ? "" : "," + report) + ")");
        return reportFailure == null ? Command.EXIT_OK : Command.EXIT_FAILURE;
    }

    /**
     * Refuses to submit a run whose task of an earlier submission Slurm still holds (pending, requeued or running):
     * it would run twice. Where squeue is missing this cannot be seen; the run's lock still keeps two writers apart.
     */
    private void refuseRunsStillInSlurm(List<RunPlan> unfinished, List<SubmissionLog.Submission> earlier, Path exp)
            throws UsageException {
        Map<String, String> taskOfRun = new LinkedHashMap<>();
        Set<String> arrays = new LinkedHashSet<>();
        for (RunPlan p : unfinished) {
            for (SubmissionLog.Submission s : earlier) {
                String task = s.taskOf(p.id());
                if (task != null) {
                    taskOfRun.put(p.id(), task); // the latest submission's
                    arrays.add(s.arrayJob());
                }
            }
        }
        if (taskOfRun.isEmpty()) {
            return;
        }
        Map<String, TaskState> queue;
        try {
            queue = Slurm.queue(arrays);
        } catch (IOException e) {
            throw new UsageException("cannot see whether runs of an earlier submission are still in Slurm ("
                    + e.getMessage() + "): try again when squeue answers");
        }
        List<String> busy = new ArrayList<>();
        Set<String> busyArrays = new LinkedHashSet<>();
        taskOfRun.forEach((run, task) -> {
            TaskState t = queue.get(task);
            if (t != null && !t.ended()) {
                busy.add(run + " (" + task + " " + t.state() + ")");
                busyArrays.add(task.substring(0, task.indexOf('_')));
            }
        });
        if (!busy.isEmpty()) {
            throw new UsageException("runs " + String.join(", ", busy) + " are still in Slurm from an earlier "
                    + "submission: wait for them (lengthgen reproduce " + experiment.name() + " --out " + exp
                    + " --status), or cancel them (scancel " + String.join(" ", busyArrays) + ") and submit again");
        }
    }
}

package dev.lengthgen.runner.reproduce;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.RunLock;
import dev.lengthgen.runner.slurm.JobScripts;
import dev.lengthgen.runner.slurm.Slurm;
import dev.lengthgen.runner.slurm.SubmissionLog;
import dev.lengthgen.runner.slurm.TaskState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code lengthgen reproduce NAME --out DIR --status}: where each run of an experiment is (done, running, pending,
 * failed) and how far it got, read from the folder (result.json, the run's lock, its metrics and log) and, when the
 * runs were submitted with --slurm and Slurm's commands are here, from squeue (jobs waiting, running, and those
 * ended within the cluster's MinJobAge) and sacct (every job, on clusters that keep accounts). A failed run is shown
 * with the last line of its log. It writes nothing, and takes no lock a writer would wait for.
 */
final class ExperimentStatus {
    enum State { DONE, RUNNING, PENDING, FAILED }

    private record Row(String id, State state, String step, String slurm, String note) {
    }

    private ExperimentStatus() {
    }

    static int print(Experiment experiment, Path folder, Scale scale, PrintStream out) throws UsageException {
        ExperimentDirectory dir = ExperimentDirectory.existing(folder, experiment, scale);
        ExperimentDirectory.Manifest manifest = dir.manifest();
        Path slurmDir = dir.dir.resolve(ExperimentDirectory.SLURM);
        List<SubmissionLog.Submission> submissions = SubmissionLog.read(slurmDir.resolve(ExperimentDirectory.JOBS));

        // Each run's latest array task, and what Slurm knows of every job ever submitted for the experiment.
        Map<String, String> taskOf = new LinkedHashMap<>();
        Set<String> jobs = new LinkedHashSet<>();
        for (SubmissionLog.Submission s : submissions) {
            jobs.add(s.arrayJob());
            if (s.reportJob() != null) {
                jobs.add(s.reportJob());
            }
            for (String run : s.runs()) {
                taskOf.put(run, s.taskOf(run));
            }
        }
        boolean slurmHere = Slurm.onPath("squeue");
        Map<String, TaskState> known = new LinkedHashMap<>();
        String slurmProblem = slurmHere ? null : "squeue is not on PATH here";
        try {
            known.putAll(Slurm.queue(jobs));
        } catch (IOException e) {
            slurmHere = false;
            slurmProblem = e.getMessage();
        }
        if (slurmHere && !submissions.isEmpty() && !known.keySet().containsAll(taskOf.values())) {
            Slurm.accounting(jobs).forEach(known::putIfAbsent); // what squeue has forgotten
        }

        List<Row> rows = new ArrayList<>();
        for (String id : manifest.runs()) {
            String task = taskOf.get(id);
            rows.add(row(dir, id, task, task == null ? null : known.get(task), slurmHere));
        }
        Map<State, Integer> counts = new LinkedHashMap<>();
        for (State s : State.values()) {
            counts.put(s, 0);
        }
        rows.forEach(r -> counts.merge(r.state(), 1, Integer::sum));
        out.printf(Locale.ROOT, "%s v%s (%s scale) in %s: %d runs: %d done, %d running, %d pending, %d failed%n",
                manifest.experiment(), manifest.version(), manifest.scale(), dir.dir, rows.size(),
                counts.get(State.DONE), counts.get(State.RUNNING), counts.get(State.PENDING), counts.get(State.FAILED));
        int width = Math.max(3, rows.stream().mapToInt(r -> r.id().length()).max().orElse(3));
        String format = "  %-" + width + "s  %-8s  %-11s  %s%n";
        out.printf(Locale.ROOT, format, "run", "state", "step", submissions.isEmpty() ? "" : "slurm");
        for (Row r : rows) {
            out.printf(Locale.ROOT, format, r.id(), r.state().name().toLowerCase(Locale.ROOT), r.step(), r.slurm());
            if (r.note() != null) {
                out.println("      " + r.note());
            }
        }
        if (!submissions.isEmpty()) {
            SubmissionLog.Submission last = submissions.get(submissions.size() - 1);
            if (last.reportJob() != null) {
                TaskState report = known.get(last.reportJob());
                boolean written = Files.isRegularFile(dir.dir.resolve("report.html"));
                out.println("report job " + last.reportJob() + ": " + (report != null ? report.describe()
                        : slurmHere ? "ended" : "unknown here") + (written ? "; report.html is written" : ""));
            }
            if (!slurmHere) {
                out.println("(" + slurmProblem + ": the states come from the folder alone)");
            }
        }
        return Command.EXIT_OK;
    }

    private static Row row(ExperimentDirectory dir, String id, String task, TaskState slurm, boolean slurmHere) {
        Path run = dir.runDir(id);
        String step = step(run);
        String slurmText = task == null ? "-" : task + " " + (slurm != null ? slurm.describe()
                : slurmHere ? "ended" : "");
        if (dir.finished(id)) {
            return new Row(id, State.DONE, step, slurmText, null);
        }
        if (RunLock.heldByAnother(run)) {
            String holder = RunLock.lastHolder(run);
            return new Row(id, State.RUNNING, step, slurmText, holder == null ? null : "written by " + holder);
        }
        if (slurm != null && slurm.active()) {
            return new Row(id, State.RUNNING, step, slurmText, null);
        }
        if (slurm != null && slurm.queued()) {
            return new Row(id, State.PENDING, step, slurmText, null);
        }
        Path taskLog = task == null ? null : JobScripts.taskLog(dir.dir, task.substring(0, task.indexOf('_')),
                Integer.parseInt(task.substring(task.indexOf('_') + 1)));
        String trainLast = lastLine(run.resolve(ExperimentDirectory.LOG));
        // Submitted, and neither queued nor running: the task ended without a result (Slurm, or squeue's silence
        // about a task it has forgotten, says so).
        boolean taskEnded = task != null && (slurm != null || slurmHere);
        if (taskEnded || (trainLast != null && trainLast.startsWith(ExperimentRunner.FAILED))) {
            String taskLast = taskLog == null ? null : lastLine(taskLog);
            String note = taskLast != null ? "last line of " + dir.dir.relativize(taskLog) + ": " + taskLast
                    : trainLast != null ? "last line of its " + ExperimentDirectory.LOG + ": " + trainLast : null;
            return new Row(id, State.FAILED, step, slurmText, note);
        }
        return new Row(id, State.PENDING, step, slurmText, null);
    }

    /** "120/300": the last step in its metrics (live while it trains) of the steps in config.json; "-" before. */
    private static String step(Path run) {
        String last = lastLine(run.resolve(RunFolder.METRICS));
        String done = "-";
        if (last != null) {
            try {
                done = Integer.toString(JsonParser.parseString(last).getAsJsonObject().get("step").getAsInt());
            } catch (RuntimeException cutShort) {
                // a line being written: the step is shown at the next look
            }
        }
        try {
            JsonElement steps = JsonParser.parseString(Files.readString(run.resolve(RunFolder.CONFIG)))
                    .getAsJsonObject().get("steps");
            return steps == null ? done : (done.equals("-") ? "0" : done) + "/" + steps.getAsInt();
        } catch (IOException | RuntimeException notStarted) {
            return done;
        }
    }

    /** The last line of a file that is not blank, or null when there is none. */
    static String lastLine(Path file) {
        try {
            List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

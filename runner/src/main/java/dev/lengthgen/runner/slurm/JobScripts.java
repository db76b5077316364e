package dev.lengthgen.runner.slurm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The two job scripts of a submission: the array (task i trains run i of the experiment, and on a signal stops it at
 * a step with a checkpoint, requeueing itself after a time-limit warning) and the report job that runs once the
 * array has ended. Every path in them is absolute and every run is named in the script itself, so a script that
 * Slurm stores with the job, and runs again on requeue, needs nothing but the shared experiment folder.
 *
 * <p>What the array script does about signals, and why (measured on Slurm 22.05 with the batch script running java
 * as a child, no srun): a time-limit warning asked for with {@code --signal=B:USR1@N} goes to the batch shell alone,
 * so the shell passes it on; a requeue, a preemption, a cancel and the time limit itself send SIGTERM to the shell and
 * to the run, which then gets it twice (the run's handling is idempotent). bash runs a trap only between commands, so
 * java runs in the background and the shell waits for it in a loop that a trap's return does not end. Slurm requeues
 * a preempted or requeued task by itself and does not requeue one that a warning stopped, so the script does; it
 * tells the two apart by the signal, which is why the warning is USR1 and not TERM. {@code --open-mode=append} keeps
 * each attempt's lines in the task's log (Slurm truncates it on a requeue otherwise).
 *
 * @param header     the command that wrote the scripts, for their first comment line
 * @param experiment the experiment folder, absolute
 * @param name       the experiment's name
 * @param launch     how lengthgen is started (java, its flags, the code)
 * @param jar        the jar the tasks run (the copy in the experiment folder), null when launched from a class path
 * @param flags      the options of the experiment (--scale, --seeds, ...) as given, which every task repeats
 * @param runs       the run of each array task, by index
 * @param options    what each task asks of Slurm
 */
public record JobScripts(String header, Path experiment, String name, JavaLaunch launch, Path jar, List<String> flags,
                         List<String> runs, SlurmOptions options) {
    /** The exit code of a run stopped with its checkpoint saved (the command line's EXIT_STOPPED). */
    public static final int STOPPED = 75;
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._,:=+/@%^-]+");
    private static final int WIDTH = 110;

    /** Where the tasks' and the report's logs go: {@code logs/ARRAY_INDEX.out}, {@code logs/report-JOB.out}. */
    public static Path logs(Path experiment) {
        return experiment.resolve("slurm").resolve("logs");
    }

    /** The log of one array task. */
    public static Path taskLog(Path experiment, String arrayJob, int index) {
        return logs(experiment).resolve(arrayJob + "_" + index + ".out");
    }

    /** The job array's script. */
    public String array() {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# ").append(header).append('\n');
        s.append("# Array task i trains and evaluates run i (the list below) of the experiment in\n");
        s.append("# ").append(experiment).append(", or resumes it from its checkpoint.\n");
        s.append("# On a signal the run stops at its next step with a checkpoint; a requeued task continues from"
                + " there.\n");
        s.append("#SBATCH --job-name=lengthgen-").append(name).append('\n');
        s.append("#SBATCH --array=0-").append(runs.size() - 1)
                .append(options.maxParallel() == null ? "" : "%" + options.maxParallel()).append('\n');
        for (String d : options.arrayDirectives()) {
            s.append("#SBATCH ").append(d).append('\n');
        }
        s.append("#SBATCH --requeue\n");
        s.append("#SBATCH --signal=B:USR1@").append(SlurmOptions.WARNING_S).append('\n');
        s.append("#SBATCH --open-mode=append\n");
        s.append("#SBATCH --output=").append(logs(experiment)).append("/%A_%a.out\n");
        s.append("set -uo pipefail\n");
        variables(s);
        s.append("runs=(\n");
        StringBuilder line = new StringBuilder(" ");
        for (String run : runs) {
            if (line.length() + 1 + run.length() > WIDTH) {
                s.append(line).append('\n');
                line = new StringBuilder(" ");
            }
            line.append(' ').append(quote(run));
        }
        s.append(line).append("\n)\n");
        s.append("run=${runs[$SLURM_ARRAY_TASK_ID]}\n");
        s.append("task=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\n");
        s.append("echo \"lengthgen: run $run, task $task on $(hostname), restart ${SLURM_RESTART_COUNT:-0},"
                + " $(date -Is)\"\n");
        checks(s);
        List<String> words = new ArrayList<>(List.of("reproduce", name));
        words.addAll(flags);
        s.append(javaLine(words, "--out \"$exp\" --run \"$run\" &"));
        s.append("""
                child=$!
                stop=""
                forward() { [ -n "$stop" ] || stop=$1; interrupted=1; kill -s "$1" "$child" 2>/dev/null; }
                trap 'forward USR1' USR1
                trap 'forward TERM' TERM
                while :; do
                  interrupted=0
                  wait "$child"
                  rc=$?
                  # A trap ends the wait, not the run, which may still be saving its checkpoint.
                  if [ "$interrupted" = 1 ] && kill -0 "$child" 2>/dev/null; then continue; fi
                  break
                done
                """);
        s.append("# ").append(STOPPED).append(": stopped with its checkpoint saved. Stopped by the time-limit warning,"
                + " the task requeues\n");
        s.append("# itself; Slurm requeues a preempted or requeued task by itself, and a cancelled one not at all.\n");
        s.append("if [ \"$rc\" = ").append(STOPPED).append(" ] && [ \"$stop\" = USR1 ]; then\n");
        s.append("  echo \"lengthgen: run $run stopped before the time limit; requeueing task $task\"\n");
        s.append("  scontrol requeue \"$task\"\n");
        s.append("fi\n");
        s.append("exit \"$rc\"\n");
        return s.toString();
    }

    /** The report job's script: {@code lengthgen report} of the experiment, once the array has ended. */
    public String report() {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# ").append(header).append('\n');
        s.append("# Writes the report of the experiment in\n");
        s.append("# ").append(experiment).append(", once the job array it depends on has ended.\n");
        s.append("#SBATCH --job-name=lengthgen-").append(name).append("-report\n");
        for (String d : options.reportDirectives()) {
            s.append("#SBATCH ").append(d).append('\n');
        }
        s.append("#SBATCH --output=").append(logs(experiment)).append("/report-%j.out\n");
        s.append("set -uo pipefail\n");
        variables(s);
        checks(s);
        s.append(javaLine(List.of("report"), "\"$exp\""));
        return s.toString();
    }

    private void variables(StringBuilder s) {
        s.append("exp=").append(quote(experiment.toString())).append('\n');
        s.append("java=").append(quote(launch.java().toString())).append('\n');
        if (jar != null) {
            Path inside = experiment.relativize(jar);
            s.append("jar=").append(jar.startsWith(experiment) ? "$exp/" + quote(inside.toString())
                    : quote(jar.toString())).append('\n');
        } else {
            s.append("cp=").append(quote(launch.classPath())).append('\n');
        }
    }

    /** A node without the JDK, or without the shared folder, says so in the log instead of failing obscurely. */
    private static void checks(StringBuilder s) {
        s.append("""
                if [ ! -x "$java" ]; then
                  echo "lengthgen: no $java on $(hostname): the JDK must be at the same path on every node" >&2
                  exit 2
                fi
                if [ ! -d "$exp/runs" ]; then
                  echo "lengthgen: $exp is not on $(hostname): put the experiment on a file system all nodes share" >&2
                  exit 2
                fi
                """);
    }

    /**
     * The java command line: java, its flags and the code on the first lines, lengthgen's words from a line of their
     * own, then {@code tail} as it is; wrapped with backslashes.
     */
    private String javaLine(List<String> lengthgenWords, String tail) {
        List<String> program = new ArrayList<>();
        program.add("\"$java\"");
        launch.jvmFlags().forEach(f -> program.add(quote(f)));
        if (jar != null) {
            program.addAll(List.of("-jar", "\"$jar\""));
        } else {
            program.addAll(List.of("-cp", "\"$cp\"", JavaLaunch.MAIN_CLASS));
        }
        List<String> command = new ArrayList<>();
        lengthgenWords.forEach(w -> command.add(quote(w)));
        command.add(tail);
        List<String> lines = new ArrayList<>();
        for (List<String> group : List.of(program, command)) {
            StringBuilder line = new StringBuilder(lines.isEmpty() ? "" : "  ");
            int empty = line.length();
            for (String w : group) {
                if (line.length() > empty && line.length() + 1 + w.length() > WIDTH) {
                    lines.add(line.toString());
                    line = new StringBuilder("  ").append(w);
                    continue;
                }
                line.append(line.length() > empty ? " " : "").append(w);
            }
            lines.add(line.toString());
        }
        return String.join(" \\\n", lines) + "\n";
    }

    /** A word for bash: as it is when it holds nothing bash reads, else in single quotes. */
    public static String quote(String word) {
        if (PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}

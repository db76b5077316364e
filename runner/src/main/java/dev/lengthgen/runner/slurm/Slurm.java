package dev.lengthgen.runner.slurm;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slurm's own commands (sbatch, squeue, sacct), run as a user would run them, with a time limit: a controller that
 * does not answer makes them wait (sinfo took 9 s to give up on a stopped slurmctld; a missing configuration can
 * hang them), and a status or a submission must not hang with them.
 */
public final class Slurm {
    private static final long TIMEOUT_S = 60;

    private Slurm() {
    }

    /** A command's end: exit code (-1 when it could not run or was stopped at the time limit) and its output. */
    record Result(int code, String out, String err) {
        /** The first line of standard error that says what went wrong ("sbatch: error: ..."), else its first line. */
        String reason() {
            String first = null;
            for (String line : (err + "\n" + out).split("\n")) {
                String l = line.strip();
                if (l.contains("error:")) {
                    return l.substring(l.indexOf("error:") + 6).strip();
                }
                if (first == null && !l.isEmpty()) {
                    first = l;
                }
            }
            return first == null ? "exit code " + code : first;
        }
    }

    /** Whether a program of this name is on PATH (an executable file in one of its folders). */
    public static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks Slurm, submitting nothing, whether it would take a job script with these sbatch options
     * ({@code sbatch --test-only}).
     *
     * @return null when it would, else its reason ("invalid partition specified: gpu")
     */
    public static String refusal(String script, List<String> options) {
        List<String> command = new ArrayList<>(List.of("sbatch", "--test-only"));
        command.addAll(options);
        Result r = run(command, script);
        return r.code() == 0 ? null : r.reason();
    }

    /**
     * Submits a job script ({@code sbatch --parsable OPTIONS SCRIPT}).
     *
     * @return the job id
     * @throws IOException naming sbatch's reason when it refuses or fails
     */
    public static String submit(Path script, List<String> options) throws IOException {
        List<String> command = new ArrayList<>(List.of("sbatch", "--parsable"));
        command.addAll(options);
        command.add(script.toString());
        Result r = run(command, null);
        String id = r.out().strip();
        int cluster = id.indexOf(';'); // JOBID;CLUSTER on a cluster of clusters
        id = cluster >= 0 ? id.substring(0, cluster) : id;
        if (r.code() != 0 || !id.matches("[0-9]+")) {
            throw new IOException("sbatch did not submit " + script + ": " + r.reason());
        }
        return id;
    }

    /**
     * What squeue knows of these jobs, one state per job and per array task (pending tasks too, not folded into a
     * range), by id. Finished jobs stay known for the cluster's MinJobAge (300 s by default). Empty when squeue is
     * missing or knows none of them.
     *
     * @throws IOException when squeue fails (a controller that does not answer), with its reason
     */
    public static Map<String, TaskState> queue(Collection<String> jobs) throws IOException {
        Map<String, TaskState> states = new LinkedHashMap<>();
        if (jobs.isEmpty() || !onPath("squeue")) {
            return states;
        }
        Result r = run(List.of("squeue", "--array", "--states=all", "--noheader", "--jobs=" + String.join(",", jobs),
                "--format=%i|%T|%r|%N"), null);
        if (r.code() != 0) {
            if (r.reason().contains("Invalid job id")) { // squeue's answer when it knows none of them
                return states;
            }
            throw new IOException("squeue failed: " + r.reason());
        }
        for (String line : r.out().split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length == 4 && !f[0].isEmpty()) {
                states.put(f[0], new TaskState(f[0], f[1].toUpperCase(Locale.ROOT), f[2], f[3]));
            }
        }
        return states;
    }

    /**
     * What Slurm's accounting (sacct) knows of these jobs: on clusters with slurmdbd, every job that ever ran.
     * Empty where accounting is disabled ("Slurm accounting storage is disabled"), or sacct is missing or fails.
     */
    public static Map<String, TaskState> accounting(Collection<String> jobs) {
        Map<String, TaskState> states = new LinkedHashMap<>();
        if (jobs.isEmpty() || !onPath("sacct")) {
            return states;
        }
        Result r = run(List.of("sacct", "--allocations", "--parsable2", "--noheader",
                "--jobs=" + String.join(",", jobs), "--format=JobID,State,ExitCode,NodeList"), null);
        if (r.code() != 0) {
            return states;
        }
        for (String line : r.out().split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length == 4 && !f[0].isEmpty()) {
                String state = f[1].split(" ")[0].toUpperCase(Locale.ROOT); // "CANCELLED by 0"
                String exit = f[2].equals("0:0") ? "" : "exit " + f[2];
                states.put(f[0], new TaskState(f[0], state, exit, f[3].equals("None assigned") ? "" : f[3]));
            }
        }
        return states;
    }

    /** Runs a command with {@code input} on its standard input (null: none), for at most {@value #TIMEOUT_S} s. */
    static Result run(List<String> command, String input) {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            return new Result(-1, "", command.get(0) + " cannot be run: " + e.getMessage());
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // it did not read its input: its exit code and messages say why
        }
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "", command.get(0) + " did not answer within " + TIMEOUT_S + " s (is the "
                        + "Slurm controller reachable?)");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "", command.get(0) + " was interrupted");
        }
    }

    /** All of a stream, or what came before it broke (the process was stopped). */
    private static String read(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (in) {
            in.transferTo(b);
        } catch (IOException stopped) {
            // what was read is what there is
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}

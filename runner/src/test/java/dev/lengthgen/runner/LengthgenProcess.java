package dev.lengthgen.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command line in a JVM of its own, for what an in-process run cannot show: a process killed with SIGKILL at
 * any moment, two processes writing one run folder, a file-size limit (ulimit -f) that makes writes fail as a full
 * disk does. The JVM starts lean (C1 only, serial GC, no perf data): these runs are tiny and short, and a test
 * starts dozens of them.
 */
public final class LengthgenProcess {
    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Thread> pumps = new ArrayList<>();

    private LengthgenProcess(Process process) {
        this.process = process;
        pumps.add(pump(process.getInputStream(), out));
        pumps.add(pump(process.getErrorStream(), err));
    }

    /** Starts {@code lengthgen args...}. */
    public static LengthgenProcess start(String... args) {
        return start(0, args);
    }

    /**
     * Starts {@code lengthgen args...} with files limited to {@code fileSizeKiB} (0: no limit): a write past it fails
     * with "File too large", as a write to a full disk fails with "No space left on device".
     */
    public static LengthgenProcess start(long fileSizeKiB, String... args) {
        return start(fileSizeKiB, Map.of(), args);
    }

    /** Starts {@code lengthgen args...} with these environment variables set (PATH without Slurm, say). */
    public static LengthgenProcess start(Map<String, String> environment, String... args) {
        return start(0, environment, args);
    }

    /**
     * Starts {@code lengthgen args...} in a JVM with the launcher's optimizing compiler, for runs of the cpu backend,
     * whose Vector API kernels crawl without C2 (an experiment's tiny run takes minutes instead of seconds).
     */
    public static LengthgenProcess startCompiled(String... args) {
        return start(-1, Map.of(), args);
    }

    /** @param fileSizeKiB 0: no limit; -1: no limit and the optimizing compiler */
    private static LengthgenProcess start(long fileSizeKiB, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        if (fileSizeKiB > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -f " + fileSizeKiB + " && exec \"$@\"", "lengthgen"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--add-modules", "jdk.incubator.vector",
                fileSizeKiB < 0 ? "-XX:PerMethodTrapLimit=100000" : "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss8m", "-cp", classPath(), Main.class.getName()));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            return new LengthgenProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test JVM's own class path (surefire passes it in a property when it starts the JVM through a jar). */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (to) {
                        to.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits until standard output contains the text, or the process ended; whether it does. */
    public boolean awaitOutput(String text, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!out().contains(text) && process.isAlive() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        return out().contains(text);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Sends a signal by name ("USR1", "TERM") with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -s " + name + " " + process.pid() + " failed");
        }
    }

    /** SIGKILL: no shutdown hook, no finally block, no flush runs. */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * SIGTERM: the JVM runs its shutdown hooks. Sent through the process handle: Process.destroy would also close
     * our ends of its output pipes, losing what it prints while it stops.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the process to end; its exit code (137 after SIGKILL, 143 after SIGTERM). */
    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("lengthgen did not end within " + seconds + " s; output: " + out() + err());
        }
        for (Thread t : pumps) {
            t.join(10_000); // the rest of its output
        }
        return process.exitValue();
    }

    /** Waits up to {@code millis} for it to end by itself; whether it has. */
    public boolean endsWithin(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    public String out() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Standard error without the JVM's notice that the Vector API is an incubator module. */
    public String err() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8).replaceAll("(?m)^WARNING: Using incubator modules.*\\R", "");
        }
    }
}

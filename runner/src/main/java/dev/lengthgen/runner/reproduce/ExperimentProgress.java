package dev.lengthgen.runner.reproduce;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress across a whole experiment: runs done out of the total, and each active run's step and ETA. On a terminal
 * it is one progress bar over all optimizer steps of the experiment (whose ETA is the experiment's); elsewhere (logs,
 * CI) a line per run started and finished and one every {@code lineEverySteps} steps of each run.
 */
final class ExperimentProgress implements AutoCloseable {
    private final PrintStream out;
    private final int totalRuns;
    private final ProgressBar bar;
    private final AtomicInteger runsDone = new AtomicInteger();
    private final AtomicLong stepsDone = new AtomicLong();
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final int lineEverySteps;

    private record Active(int startStep, long startNanos, int step, int steps) {
        String describe(String id) {
            long elapsed = System.nanoTime() - startNanos;
            String eta = step > startStep
                    ? ", ETA " + duration((long) ((double) elapsed / (step - startStep) * (steps - step)))
                    : "";
            return String.format(Locale.ROOT, "%s %d/%d%s", id, step, steps, eta);
        }
    }

    ExperimentProgress(String name, PrintStream out, boolean terminal, int totalRuns, long totalSteps,
                       int runsAlreadyDone, long stepsAlreadyDone, int lineEverySteps) {
        this.out = out;
        this.totalRuns = totalRuns;
        this.lineEverySteps = Math.max(1, lineEverySteps);
        runsDone.set(runsAlreadyDone);
        stepsDone.set(stepsAlreadyDone);
        this.bar = terminal ? new ProgressBarBuilder().setTaskName(name).setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                .startsFrom(stepsAlreadyDone, Duration.ZERO).build() : null;
        refresh();
    }

    void started(String id, int step, int steps) {
        active.put(id, new Active(step, System.nanoTime(), step, steps));
        if (bar == null) {
            out.printf("[%d/%d done] %s: %s%n", runsDone.get(), totalRuns, id,
                    step > 0 ? "resuming at step " + step + " of " + steps : "training " + steps + " steps");
        }
        refresh();
    }

    void stepped(String id, int step, int steps) {
        active.computeIfPresent(id, (k, a) -> new Active(a.startStep, a.startNanos, step, steps));
        long total = stepsDone.incrementAndGet();
        if (bar != null) {
            bar.stepTo(total);
            if (step % 10 == 0) {
                refresh();
            }
        } else if (step % lineEverySteps == 0 && step < steps) {
            Active a = active.get(id);
            out.printf("[%d/%d done] %s%n", runsDone.get(), totalRuns, a == null ? id : a.describe(id));
        }
    }

    void finished(String id, String summary) {
        active.remove(id);
        int done = runsDone.incrementAndGet();
        if (bar == null) {
            out.printf("[%d/%d done] %s: %s%n", done, totalRuns, id, summary);
        }
        refresh();
    }

    void stopped(String id, String how) {
        active.remove(id);
        if (bar == null) {
            out.printf("[%d/%d done] %s stopped %s%n", runsDone.get(), totalRuns, id, how);
        }
        refresh();
    }

    void failed(String id, String why) {
        active.remove(id);
        if (bar == null) {
            out.printf("[%d/%d done] %s failed: %s%n", runsDone.get(), totalRuns, id, why);
        }
        refresh();
    }

    private void refresh() {
        if (bar == null) {
            return;
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, " runs %d/%d", runsDone.get(), totalRuns));
        active.forEach((id, a) -> sb.append(" | ").append(a.describe(id)));
        bar.setExtraMessage(sb.toString());
    }

    static String duration(long nanos) {
        long s = Math.max(0, nanos / 1_000_000_000L);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}

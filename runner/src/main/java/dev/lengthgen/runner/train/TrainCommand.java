package dev.lengthgen.runner.train;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.run.Resume;
import dev.lengthgen.runner.run.RunDescription;
import dev.lengthgen.runner.run.RunFlags;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.StopRequest;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.runner.run.TrainingLoop;
import dev.lengthgen.runner.run.TrainingRun;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code lengthgen train}: trains a model on a task and writes a run folder (config.json, metrics.jsonl, latest and
 * best checkpoints). {@code --resume DIR [--steps N]} continues a run exactly where its latest checkpoint left it.
 * Every check (flags, backend and device, the model's memory, the folder and its lock, a resumed run's files)
 * happens before anything is written; a run replaced with --force is deleted only once the new one has started.
 * SIGTERM or Ctrl-C stops a run at its next step boundary with its latest checkpoint saved.
 */
public final class TrainCommand implements Command {
    /** How long a stop signal waits for the current step to finish and the checkpoint to be saved. */
    private static final long STOP_WAIT_SECONDS = 120;

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a model on a task and write a run folder (metrics, checkpoints)";
    }

    @Override
    public Options options() {
        Options o = RunFlags.options();
        o.addOption(Flags.valued("out", "DIR", "run folder to create (refused if it holds files, unless --force)"));
        o.addOption(Option.builder().longOpt("force").desc("replace the run in --out (its files are deleted once the"
                + " new run has started)").build());
        o.addOption(Flags.valued("resume", "DIR", "continue the run in DIR from its latest checkpoint; --steps,"
                + " --backend, --device and --threads may change, other flags must agree with the run"));
        o.addOption(Option.builder().longOpt("profile")
                .desc("time every task of every training step and print the per-op table at the end").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        return line.hasOption("resume") ? resume(line, out) : start(line, out);
    }

    private int start(CommandLine line, PrintStream out) throws Exception {
        if (!line.hasOption("out")) {
            throw new UsageException("--out DIR is required: the folder the run is written to");
        }
        Path dir = Flags.path(line, "out");
        boolean force = line.hasOption("force");
        TrainSettings settings = RunFlags.parse(line);
        RunFolder.checkNewRun(dir, force);
        try (Backend backend = BackendOptions.open(settings.placement())) {
            TrainingRun run = TrainingRun.build(settings, backend);
            RunFolder folder = RunFolder.lock(dir);
            TrainingLoop loop;
            try {
                folder.prepareNewRun(force);
                out.println("backend: " + backend.describe());
                loop = run.startIn(folder, out);
            } catch (Exception e) {
                folder.abandon();
                throw e;
            }
            try (folder) {
                return train(loop, dir, line.hasOption("profile"), out);
            }
        }
    }

    private int resume(CommandLine line, PrintStream out) throws Exception {
        for (String flag : List.of("out", "force")) {
            if (line.hasOption(flag)) {
                throw new UsageException("--" + flag + " does not go with --resume: a resumed run stays in its folder;"
                        + " drop --" + flag);
            }
        }
        Path dir = Flags.path(line, "resume");
        if (!RunFolder.mayHoldRun(dir)) {
            RunFolder.checkHasRun(dir); // refused before the folder is locked (which would add its lock file)
        }
        try (RunFolder folder = RunFolder.lock(dir)) {
            folder.recover(); // a replacement killed before it started: the run it replaced is the one to resume
            RunFolder.checkHasRun(dir);
            String fix = "restore the run's own files, or start it again with --out " + dir + " --force";
            TrainSettings settings = settingsForResume(folder, line, fix);
            try (Resume from = Resume.find(folder, settings, fix)) {
                if (from == null) {
                    throw new UsageException(dir + " has no " + RunFolder.LATEST + " yet: start it again with --out "
                            + dir + " --force");
                }
                if (from.step() >= settings.steps()) {
                    out.println("run " + dir + " already has " + from.step() + " steps; pass --steps N with N > "
                            + from.step() + " to train further");
                    return EXIT_OK;
                }
                try (Backend backend = BackendOptions.open(settings.placement())) {
                    TrainingRun run = TrainingRun.build(settings, backend);
                    out.println("backend: " + backend.describe());
                    return train(run.resumeIn(folder, from, out), dir, line.hasOption("profile"), out);
                }
            }
        }
    }

    /**
     * Trains to the end, or until SIGTERM / Ctrl-C: the signal's shutdown hook asks the loop to stop at its next step
     * boundary and waits until its checkpoint is saved and the stop reported (the JVM exits when its hooks return).
     */
    private static int train(TrainingLoop loop, Path dir, boolean profile, PrintStream out) throws Exception {
        StopRequest stop = new StopRequest();
        CountDownLatch reported = new CountDownLatch(1);
        Thread onSignal = new Thread(() -> {
            stop.request();
            try {
                reported.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // shutting down anyway
            }
        }, "lengthgen-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            if (loop.run(System.console() != null, profile, stop) == TrainingLoop.Outcome.STOPPED) {
                out.println("stopped after step " + loop.trainer().stepsTaken() + " with its checkpoint saved: "
                        + "continue with lengthgen train --resume " + dir);
                return EXIT_FAILURE;
            }
        } catch (TrainingLoop.DivergedException e) {
            out.println("lengthgen train: " + e.getMessage());
            return EXIT_FAILURE;
        } finally {
            out.flush();
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the loop has
            }
        }
        out.println("done: " + dir);
        return EXIT_OK;
    }

    /**
     * The settings of a resumed run: its stored flags, with a new step budget and placement when given. Any other
     * run flag given now must agree with what the run was started with; one that would change the run is refused,
     * naming what the run has.
     */
    private static TrainSettings settingsForResume(RunFolder folder, CommandLine now, String fix)
            throws UsageException {
        Path config = folder.file(RunFolder.CONFIG);
        RunDescription.Stored stored = RunDescription.read(JsonText.readObject(config, fix), config.toString(), fix);
        List<String> base = RunFlags.without(stored.args(), RunFlags.PLACEMENT);
        List<String> given = RunFlags.given(now);
        List<String> changeable = new ArrayList<>(RunFlags.PLACEMENT);
        changeable.add(RunFlags.STEPS);
        for (int i = 0; i < given.size(); i++) {
            String flag = given.get(i).substring(2);
            String value = i + 1 < given.size() && !given.get(i + 1).startsWith("--") ? given.get(++i) : null;
            if (changeable.contains(flag)) {
                continue;
            }
            List<String> candidate = with(base, flag, value);
            String asGiven = "--" + flag + (value == null ? "" : " " + value);
            TrainSettings changed;
            try {
                changed = RunFlags.parse(candidate);
            } catch (UsageException e) {
                throw new UsageException(asGiven + " does not fit the run in " + folder.dir + " (" + e.getMessage()
                        + "): drop it");
            }
            String d = RunDescription.difference(stored.settings(), changed);
            if (d != null) {
                throw new UsageException(asGiven + " conflicts with the run in " + folder.dir + " (it has " + d
                        + "): drop it; a resumed run keeps its settings, only --steps, --backend, --device and"
                        + " --threads may change");
            }
        }
        // The stored flags in their order, so that a run resumed as it was started describes itself as before.
        List<String> args = new ArrayList<>(stored.args());
        if (now.hasOption("backend")) { // another backend: the stored device and threads were the old one's
            args = RunFlags.without(args, List.of("device", "threads"));
        }
        for (String flag : changeable) {
            if (now.hasOption(flag)) {
                args = with(args, flag, now.getOptionValue(flag));
            }
        }
        return RunFlags.parse(args);
    }

    /** The flags with one flag set to a value (null: given without one): in its place, or added at the end. */
    private static List<String> with(List<String> args, String flag, String value) {
        List<String> out = new ArrayList<>(args);
        int at = out.indexOf("--" + flag);
        if (at < 0) {
            out.add("--" + flag);
            if (value != null) {
                out.add(value);
            }
            return out;
        }
        boolean hadValue = at + 1 < out.size() && !out.get(at + 1).startsWith("--");
        if (hadValue) {
            out.remove(at + 1);
        }
        if (value != null) {
            out.add(at + 1, value);
        }
        return out;
    }
}

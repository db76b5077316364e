package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.report.ExperimentReport;
import dev.lengthgen.runner.run.RunFlags;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.runner.slurm.JobScripts;
import dev.lengthgen.runner.slurm.SlurmOptions;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code lengthgen reproduce NAME}: trains the grid of runs of a named experiment into a folder, evaluates every run on
 * every test length beside the theory's prediction, and writes the report (tables, charts, report.html,
 * summary.json). Runs already finished in the folder are not redone, so an interrupted experiment resumes where it
 * stopped. {@code --list} names the experiments. Beside training the grid here, it can submit the grid to Slurm as a
 * job array ({@code --slurm}, {@link SlurmSubmission}), train one run of it ({@code --run ID}, {@link SingleRun}:
 * what each array task does), or say where each run is ({@code --status}, {@link ExperimentStatus}).
 */
public final class ReproduceCommand implements Command {
    public static final String DEFAULT_SCALE = "tiny";
    public static final int TINY_SEEDS = 3;
    public static final int PAPER_SEEDS = 1;
    /** The options that define the grid and where its runs compute: what every array task repeats. */
    static final List<String> EXPERIMENT_FLAGS = List.of("scale", "seeds", "moduli", "lengths", "steps",
            "eval-count", "backend", "device", "threads");

    @Override
    public String name() {
        return "reproduce";
    }

    @Override
    public String arguments() {
        return "NAME";
    }

    @Override
    public String summary() {
        return "run a named experiment of the paper end to end and write its report (--list names them)";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("list").desc("list the experiments and what each shows").build());
        o.addOption(Flags.valued("scale", "tiny|paper", "tiny: minutes per run on a laptop; paper: the paper's "
                + "configuration (W = 20, mini, batch 64), meant for a GPU", DEFAULT_SCALE));
        o.addOption(Flags.valued("seeds", "K", "seeds per configuration (default " + TINY_SEEDS + " at tiny scale, "
                + PAPER_SEEDS + " at paper scale)"));
        o.addOption(Flags.valued("moduli", "P,P,...|all", "moduli of the modular experiments (default: the "
                + "experiment's own set, e.g. 100,101 for modular-addition)"));
        o.addOption(Flags.valued("lengths", "SPEC", "test lengths, e.g. 1-9 (default: the scale's)"));
        o.addOption(Flags.valued("steps", "N", "optimizer steps per run (default: the scale's)"));
        o.addOption(Flags.valued("eval-count", "N", "test problems per length in each run's final evaluation",
                Recipe.BASE.evalCount()));
        o.addOption(Flags.valued("jobs", "N", "runs trained at once, each with its share of the cores (default: one "
                + "per core at tiny scale, 1 at paper scale)"));
        o.addOption(Flags.valued("out", "DIR", "the experiment's folder (default results/NAME-SCALE); rerunning "
                + "resumes it"));
        o.addOption(Option.builder().longOpt("json").desc("print summary.json instead of the tables").build());
        BackendOptions.addTo(o);
        o.addOption(Option.builder().longOpt("slurm").desc("submit the unfinished runs to Slurm as one job array, "
                + "and a job that writes the report when it has ended, instead of training them here").build());
        SlurmOptions.addTo(o);
        o.addOption(Option.builder().longOpt("dry-run").desc("--slurm: print the job scripts and the sbatch "
                + "commands; write and submit nothing").build());
        o.addOption(Flags.valued("run", "ID", "train (or resume) and evaluate only run ID of the experiment in --out, "
                + "as an array task does; a signal (TERM, INT, USR1) stops it at its next step with a checkpoint, "
                + "exit code " + EXIT_STOPPED));
        o.addOption(Option.builder().longOpt("status").desc("show which runs of the experiment in --out are done, "
                + "running, pending or failed (with Slurm's view of its jobs, where Slurm is installed)").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        if (line.hasOption("list")) {
            for (Experiment e : ExperimentCatalog.ALL) {
                out.printf("%-24s v%d  %s%n%-24s      expected: %s%n", e.name(), e.version(), e.description(), "",
                        e.expected());
                if (e.hasModuli()) {
                    out.printf("%-24s      moduli: %s by default, --moduli all: %s%n", "", e.defaultModuli(),
                            e.allModuli());
                }
                out.printf("%-24s      time: %s%n", "", timeLine(e));
            }
            return EXIT_OK;
        }
        List<String> names = line.getArgList();
        if (names.size() != 1) {
            throw new UsageException("name one experiment, e.g. 'lengthgen reproduce modular-addition' (see --list)");
        }
        Experiment experiment;
        try {
            experiment = ExperimentCatalog.named(names.get(0));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        checkFlagsGoTogether(line);
        Scale scale;
        try {
            scale = Scale.parse(line.getOptionValue("scale", DEFAULT_SCALE));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--scale: " + e.getMessage());
        }
        if (line.hasOption("status")) {
            Path dir = line.hasOption("out") ? Flags.path(line, "out") : defaultFolder(experiment, scale);
            return ExperimentStatus.print(experiment, dir, line.hasOption("scale") ? scale : null, out);
        }
        SlurmOptions slurm = line.hasOption("slurm") ? SlurmOptions.parse(line) : null;
        BackendOptions.Placement placement = BackendOptions.placement(line, BackendOptions.DEFAULT_BACKEND);
        ExperimentOptions options = new ExperimentOptions(scale,
                Flags.intValue(line, "seeds", scale == Scale.TINY ? TINY_SEEDS : PAPER_SEEDS, 1, 1000),
                moduli(line, experiment),
                lengths(line),
                line.hasOption("steps") ? Flags.intValue(line, "steps", 0, 1, RunFlags.MAX_STEPS) : null,
                line.hasOption("eval-count") ? Flags.intValue(line, "eval-count", 0, 1, 10_000_000) : null,
                placement.backend(), placement.device(), placement.threads());
        Path out0 = line.hasOption("out") ? Flags.path(line, "out") : defaultFolder(experiment, scale);
        List<RunPlan> plans = experiment.plan(options);
        if (line.hasOption("run")) {
            return SingleRun.run(experiment, options, out0, plans, line.getOptionValue("run").trim(), out);
        }
        if (slurm != null) {
            return new SlurmSubmission(experiment, options, out0, plans, slurm, experimentFlags(line),
                    commandLine(line)).submit(line.hasOption("dry-run"), out);
        }
        // Tiny models use one core far better than two: by default a tiny experiment trains one run per core.
        int cores = Runtime.getRuntime().availableProcessors();
        int jobs = Flags.intValue(line, "jobs", scale == Scale.TINY ? cores : 1, 1, 256);

        // Every check before anything is written: the folder, each run's flags, and the runs already there.
        ExperimentDirectory dir = ExperimentDirectory.check(out0, experiment, scale);
        ExperimentRunner runner = new ExperimentRunner(dir, options, jobs);
        List<TrainSettings> settings = runner.prepare(plans);
        ExperimentRunner.LockedRuns locked = runner.lockAndCheck(plans, settings);
        Map<String, RunFolder> folders = locked.folders();
        try {
            dir.writeManifest(experiment, scale, plans);
            boolean json = line.hasOption("json");
            PrintStream progressOut = json ? System.err : out;
            progressOut.printf("%s (v%d, %s scale): %d runs into %s%n", experiment.name(), experiment.version(),
                    scale.cliName(), plans.size(), dir.dir);
            long start = System.nanoTime();
            List<String> failed = runner.run(experiment.name(), plans, settings, folders, locked.resumeSteps(),
                    progressOut, System.console() != null);
            ExperimentReport.Written report = ExperimentReport.write(dir.dir);
            if (json) {
                out.println(report.summaryJson());
            } else {
                out.print(report.text());
                report.warnings().forEach(progressOut::println);
                out.printf(Locale.ROOT, "%nreport: %s (wall %s)%n", dir.dir.resolve("report.html"),
                        ExperimentProgress.duration(System.nanoTime() - start));
            }
            if (!failed.isEmpty()) {
                progressOut.println("lengthgen reproduce: runs " + failed + " diverged (see their train.log); the "
                        + "report lists them as pending");
                return EXIT_FAILURE;
            }
            return EXIT_OK;
        } finally {
            folders.values().forEach(RunFolder::close);
        }
    }

    private static Path defaultFolder(Experiment e, Scale scale) {
        return Path.of("results", e.name() + "-" + scale.cliName());
    }

    /**
     * What the experiment takes at tiny scale on 2 cores, at its default settings and (modular experiments) with
     * --moduli all: runs, and minutes from one round's measured time (see {@link Experiment#runMinutes}).
     */
    static String timeLine(Experiment e) {
        String line = String.format(Locale.ROOT, "about %s, %d at a time on 2 cores; %.1f min a round)",
                grid(e, null), Experiment.TINY_JOBS, e.runMinutes());
        return e.hasModuli() ? line + "; --moduli all about " + grid(e, e.allModuli()) + ")" : line;
    }

    /** "N min (R runs" for the tiny grid of these moduli (null: the experiment's default set) at default seeds. */
    private static String grid(Experiment e, List<Long> moduli) {
        ExperimentOptions o = new ExperimentOptions(Scale.TINY, TINY_SEEDS, moduli, null, null, null, "cpu", null, 1);
        return String.format(Locale.ROOT, "%.0f min (%d runs", e.tinyMinutes(o), e.plan(o).size());
    }

    /**
     * Refuses flags that do not go together: each way of running (here, --slurm, --run, --status) takes its own, and
     * a flag it would ignore is refused rather than ignored.
     */
    private static void checkFlagsGoTogether(CommandLine line) throws UsageException {
        List<String> modes = new ArrayList<>();
        for (String mode : List.of("slurm", "run", "status")) {
            if (line.hasOption(mode)) {
                modes.add("--" + mode);
            }
        }
        if (modes.size() > 1) {
            throw new UsageException(modes.get(0) + " and " + modes.get(1) + " do not go together: keep one");
        }
        String mode = modes.isEmpty() ? null : modes.get(0);
        List<String> slurmOnly = new ArrayList<>(SlurmOptions.FLAGS);
        slurmOnly.add("dry-run");
        for (Option given : line.getOptions()) {
            String flag = given.getLongOpt();
            if (slurmOnly.contains(flag) && !"--slurm".equals(mode)) {
                throw new UsageException("--" + flag + " goes with --slurm: add --slurm, or drop --" + flag);
            }
            if (mode == null) {
                continue;
            }
            boolean allowed = switch (mode) {
                case "--status" -> Set.of("status", "out", "scale").contains(flag);
                case "--run" -> flag.equals("run") || flag.equals("out") || EXPERIMENT_FLAGS.contains(flag);
                default -> flag.equals("slurm") || flag.equals("out") || slurmOnly.contains(flag)
                        || EXPERIMENT_FLAGS.contains(flag);
            };
            if (!allowed) {
                String hint = flag.equals("jobs") && mode.equals("--slurm")
                        ? " (--max-parallel K sets how many array tasks run at once)" : "";
                throw new UsageException("--" + flag + " does not go with " + mode + ": drop it" + hint);
            }
        }
    }

    /** The experiment's options as given (--scale, --seeds, ...), as words an array task passes on unchanged. */
    private static List<String> experimentFlags(CommandLine line) {
        List<String> words = new ArrayList<>();
        for (Option given : line.getOptions()) {
            if (EXPERIMENT_FLAGS.contains(given.getLongOpt())) {
                words.add("--" + given.getLongOpt());
                words.add(given.getValue().trim());
            }
        }
        return words;
    }

    /** The command as given, with its flags in their order, for the first comment line of the job scripts. */
    private static String commandLine(CommandLine line) {
        StringBuilder sb = new StringBuilder("lengthgen reproduce");
        line.getArgList().forEach(a -> sb.append(' ').append(JobScripts.quote(a)));
        for (Option given : line.getOptions()) {
            String flag = "--" + given.getLongOpt();
            if (flag.equals("--dry-run")) {
                continue; // the scripts are what the command without it submits
            }
            if (!given.hasArg()) {
                sb.append(' ').append(flag);
            } else if (given.getArgs() == 1) {
                sb.append(' ').append(flag).append(' ').append(JobScripts.quote(given.getValue()));
            } else {
                for (String v : given.getValues()) {
                    sb.append(' ').append(flag).append('=').append(JobScripts.quote(v));
                }
            }
        }
        return sb.toString();
    }

    private static List<Long> moduli(CommandLine line, Experiment e) throws UsageException {
        if (!line.hasOption("moduli")) {
            return null;
        }
        if (!e.hasModuli()) {
            throw new UsageException(e.name() + " has no modulus: drop --moduli");
        }
        String raw = line.getOptionValue("moduli").trim();
        if (raw.equalsIgnoreCase("all")) {
            return e.allModuli();
        }
        List<Long> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            try {
                long p = Long.parseLong(part.trim());
                if (p < 2) {
                    throw new NumberFormatException();
                }
                if (!out.contains(p)) {
                    out.add(p);
                }
            } catch (NumberFormatException ex) {
                throw new UsageException("--moduli takes integers >= 2 separated by commas (e.g. 100,101) or all, "
                        + "got '" + raw + "'");
            }
        }
        return out;
    }

    private static DigitSpec lengths(CommandLine line) throws UsageException {
        if (!line.hasOption("lengths")) {
            return null;
        }
        try {
            return DigitSpec.parse(line.getOptionValue("lengths"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--lengths: " + e.getMessage());
        }
    }
}

package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.report.ExperimentReport;
import dev.lengthgen.runner.run.RunFlags;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lengthgen reproduce NAME}: trains the grid of runs of a named experiment into a folder, evaluates every run on
 * every test length beside the theory's prediction, and writes the report (tables, charts, report.html,
 * summary.json). Runs already finished in the folder are not redone, so an interrupted experiment resumes where it
 * stopped. {@code --list} names the experiments.
 */
public final class ReproduceCommand implements Command {
    public static final String DEFAULT_SCALE = "tiny";
    public static final int TINY_SEEDS = 3;
    public static final int PAPER_SEEDS = 1;

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
        o.addOption(Flags.valued("moduli", "P,P,...|all", "moduli of the modular experiments (default: the experiment's "
                + "own set, e.g. 100,101 for modular-addition)"));
        o.addOption(Flags.valued("lengths", "SPEC", "test lengths, e.g. 1-9 (default: the scale's)"));
        o.addOption(Flags.valued("steps", "N", "optimizer steps per run (default: the scale's)"));
        o.addOption(Flags.valued("eval-count", "N", "test problems per length in each run's final evaluation",
                Recipe.BASE.evalCount()));
        o.addOption(Flags.valued("jobs", "N", "runs trained at once, each with its share of the cores (default: one per core "
                + "at tiny scale, 1 at paper scale)"));
        o.addOption(Flags.valued("out", "DIR", "the experiment's folder (default results/NAME-SCALE); rerunning resumes it"));
        o.addOption(Option.builder().longOpt("json").desc("print summary.json instead of the tables").build());
        BackendOptions.addTo(o);
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
        Scale scale;
        try {
            scale = Scale.parse(line.getOptionValue("scale", DEFAULT_SCALE));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--scale: " + e.getMessage());
        }
        BackendOptions.Placement placement = BackendOptions.placement(line, BackendOptions.DEFAULT_BACKEND);
        ExperimentOptions options = new ExperimentOptions(scale,
                Flags.intValue(line, "seeds", scale == Scale.TINY ? TINY_SEEDS : PAPER_SEEDS, 1, 1000),
                moduli(line, experiment),
                lengths(line),
                line.hasOption("steps") ? Flags.intValue(line, "steps", 0, 1, RunFlags.MAX_STEPS) : null,
                line.hasOption("eval-count") ? Flags.intValue(line, "eval-count", 0, 1, 10_000_000) : null,
                placement.backend(), placement.device(), placement.threads());
        // Tiny models use one core far better than two: by default a tiny experiment trains one run per core.
        int cores = Runtime.getRuntime().availableProcessors();
        int jobs = Flags.intValue(line, "jobs", scale == Scale.TINY ? cores : 1, 1, 256);
        Path out0 = line.hasOption("out") ? Flags.path(line, "out")
                : Path.of("results", experiment.name() + "-" + scale.cliName());
        List<RunPlan> plans = experiment.plan(options);

        // Every check before anything is written: the folder, each run's flags, and the runs already there.
        ExperimentDirectory dir = ExperimentDirectory.check(out0, experiment, scale);
        ExperimentRunner runner = new ExperimentRunner(dir, options, jobs);
        List<TrainSettings> settings = runner.prepare(plans);
        boolean existed = Files.exists(out0);
        dir.create();
        Map<String, RunFolder> folders = Map.of();
        Map<String, Integer> resumeSteps;
        try {
            folders = runner.lockUnfinished(plans);
            resumeSteps = runner.resumeSteps(plans, settings, folders);
        } catch (UsageException e) {
            folders.values().forEach(RunFolder::abandon);
            if (!existed) {
                dir.removeIfEmpty();
            }
            throw e;
        }
        try {
            dir.writeManifest(experiment, scale, plans);
            boolean json = line.hasOption("json");
            PrintStream progressOut = json ? System.err : out;
            progressOut.printf("%s (v%d, %s scale): %d runs into %s%n", experiment.name(), experiment.version(),
                    scale.cliName(), plans.size(), dir.dir);
            long start = System.nanoTime();
            List<String> failed = runner.run(experiment.name(), plans, settings, folders, resumeSteps, progressOut,
                    System.console() != null);
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

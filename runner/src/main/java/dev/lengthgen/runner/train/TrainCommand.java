package dev.lengthgen.runner.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.model.checkpoint.CheckpointException;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.LrSchedule;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.Main;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.ModelOptions;
import dev.lengthgen.runner.cli.TaskOptions;
import dev.lengthgen.runner.cli.TaskSetup;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lengthgen train}: trains a model on a task and writes a run folder (config.json, metrics.jsonl, latest and
 * best checkpoints). {@code --resume DIR [--steps N]} continues a run exactly where its latest checkpoint left it.
 */
public final class TrainCommand implements Command {
    /** Flags that say where a run computes, not what it computes: they may differ between invocations of one run. */
    public static final List<String> PLACEMENT_FLAGS = List.of("backend", "device", "threads");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

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
        Options o = new Options();
        TaskOptions.addTo(o);
        ModelOptions.addTo(o);
        BackendOptions.addTo(o);
        o.addOption(Flags.valued("out", "DIR", "run folder to create (refused if it holds files, unless --force)"));
        o.addOption(Option.builder().longOpt("force").desc("replace the run in --out").build());
        o.addOption(Flags.valued("resume", "DIR", "continue the run in DIR from its latest checkpoint"));
        o.addOption(Flags.valued("steps", "N", "optimizer steps in total (default 5000)"));
        o.addOption(Flags.valued("batch", "N", "sequences per step (default 64)"));
        o.addOption(Flags.valued("lr", "LR", "peak learning rate (default 1e-3)"));
        o.addOption(Flags.valued("lr-schedule", "const|cosine", "after warmup: constant, or cosine down to --min-lr (default cosine)"));
        o.addOption(Flags.valued("warmup", "N", "linear warmup steps (default 100)"));
        o.addOption(Flags.valued("min-lr", "LR", "floor of the cosine schedule (default 1e-4)"));
        o.addOption(Flags.valued("weight-decay", "W", "AdamW weight decay on matrices (default 0.1)"));
        o.addOption(Flags.valued("grad-clip", "G", "global gradient-norm clip, 0 for none (default 1.0)"));
        o.addOption(Flags.valued("eval-every", "N", "evaluate and checkpoint every N steps (default 500)"));
        o.addOption(Flags.valued("log-every", "N", "write a metrics line every N steps (default 10)"));
        o.addOption(Option.builder().longOpt("random-padding").hasArg().optionalArg(true).argName("K")
                .desc("pad each training example to a random width from W - K to W (default K: any width that holds"
                        + " it), so that a digit's place cannot be read from where it sits; an add or mul answer's"
                        + " padding shrinks with the operands', a modular answer keeps its width; tests stay padded"
                        + " to W").build());
        o.addOption(Flags.valued("random-padding-share", "F", "with --random-padding: the share of training examples"
                + " padded to a random width, the others to W (default 1)"));
        o.addOption(Flags.valued("eval-samples", "N", "test problems per length for evaluations during training (default 200)"));
        o.addOption(Option.builder().longOpt("profile")
                .desc("time every task of every training step and print the per-op table at the end").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        boolean resume = line.hasOption("resume");
        RunDirectory dir;
        TrainSettings settings;
        Checkpoint checkpoint = null;
        if (resume) {
            dir = RunDirectory.existing(Path.of(line.getOptionValue("resume")));
            settings = settingsOfRun(dir, line);
            checkpoint = latestOf(dir, settings);
            if (checkpoint == null) {
                throw new UsageException(dir.dir + " has no " + RunDirectory.LATEST + " yet: start it again with --out "
                        + dir.dir + " --force");
            }
            if (checkpoint.step() >= settings.steps()) {
                out.println("run " + dir.dir + " already has " + checkpoint.step() + " steps; pass --steps N with N > "
                        + checkpoint.step() + " to train further");
                return Main.EXIT_OK;
            }
        } else {
            if (!line.hasOption("out")) {
                throw new UsageException("--out DIR is required: the folder the run is written to");
            }
            settings = parseSettings(line, Arrays.asList(originalArgs(line)));
            dir = RunDirectory.createNew(Path.of(line.getOptionValue("out")), line.hasOption("force"));
        }
        try (Backend backend = open(settings)) {
            out.println("backend: " + backend.describe());
            try {
                TrainingRun run = new TrainingRun(settings, dir, backend, out);
                train(run, checkpoint, System.console() != null, line.hasOption("profile"));
            } catch (TrainingRun.DivergedException e) {
                out.println("lengthgen train: " + e.getMessage());
                return Main.EXIT_FAILURE;
            }
            out.println("done: " + dir.dir);
        }
        return Main.EXIT_OK;
    }

    /**
     * Builds the model and optimizer of a run on its backend, fresh (initialised from the seed, config.json written)
     * or from a checkpoint of that run, and trains to the run's step budget.
     *
     * @return the trainer, holding the trained model
     * @throws TrainingRun.DivergedException when the loss stops being finite
     */
    public static Trainer train(TrainingRun run, Checkpoint checkpoint, boolean progressBar, boolean profile)
            throws UsageException, IOException {
        TrainSettings settings = run.settings();
        GptModel model;
        Trainer trainer;
        try {
            model = new GptModel(settings.model(), run.backend());
            trainer = new Trainer(model, settings.batch(), settings.trainT(), settings.adamw(), settings.seed());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrintStream out = run.out();
        if (checkpoint != null) {
            checkpoint.loadParameters(model);
            checkpoint.loadOptimizer(trainer);
            out.println("resuming " + run.dir().dir + " at step " + trainer.stepsTaken() + " of " + settings.steps());
        } else {
            model.initialize(settings.seed());
            run.dir().writeAtomically(RunDirectory.CONFIG, GSON.toJson(describe(settings)));
        }
        out.printf("model: %s, positions %s, %,d parameters; training %s on %s, %d steps of %d x %d tokens%n",
                settings.model(), settings.model().position().describe(), model.layout.total(),
                settings.task().describe(), settings.train(), settings.steps(), settings.batch(), settings.trainT());
        run.run(trainer, checkpointMetadata(settings), progressBar, profile);
        return trainer;
    }

    /**
     * Opens a run's latest checkpoint for resuming, checked against the run's settings; null when the run has none
     * yet.
     */
    public static Checkpoint latestOf(RunDirectory dir, TrainSettings settings) throws UsageException {
        Path latest = dir.file(RunDirectory.LATEST);
        if (!Files.isRegularFile(latest)) {
            return null;
        }
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.open(latest);
        } catch (CheckpointException e) {
            throw new UsageException(e.getMessage());
        }
        if (!checkpoint.config().position().equals(settings.model().position())) {
            throw new UsageException(latest + " was trained with --pos " + checkpoint.config().position().describe()
                    + " but " + RunDirectory.CONFIG + " of that run asks for " + settings.model().position().describe());
        }
        if (!checkpoint.config().equals(settings.model())) {
            throw new UsageException(latest + " does not match " + RunDirectory.CONFIG + " of that run");
        }
        return checkpoint;
    }

    private static Backend open(TrainSettings s) throws UsageException {
        return BackendOptions.open(s.backend(), s.device(), s.threads());
    }

    /** Every flag of the command line as given, kept in config.json so --resume can rebuild the same settings. */
    private static String[] originalArgs(CommandLine line) {
        List<String> a = new ArrayList<>();
        for (Option o : line.getOptions()) {
            if (List.of("out", "force", "resume", "profile").contains(o.getLongOpt())) {
                continue;
            }
            a.add("--" + o.getLongOpt());
            if (o.hasArg()) {
                a.add(o.getValue());
            }
        }
        return a.toArray(new String[0]);
    }

    /** Parses every setting of a fresh run from its flags; nothing is written before this succeeds. */
    public static TrainSettings parseSettings(CommandLine line, List<String> args) throws UsageException {
        TaskSetup task = TaskOptions.parse(line);
        DigitSpec train = task.requireTrain();
        DigitSpec test = task.test() != null ? task.test() : train;
        var codec = task.codec();
        int longest = codec.maxSequenceLength(Math.max(train.max(), test.max())) - 1;
        GptConfig model = ModelOptions.parse(line, codec.vocabulary().size(), longest, task.format().width());
        try {
            new PositionIds(model.position(), task.format()); // a scheme the format cannot serve is a usage error
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        int steps = Flags.intValue(line, "steps", 5000, 1, Integer.MAX_VALUE - 1);
        int batch = Flags.intValue(line, "batch", 64, 1, 1 << 16);
        float lr = Flags.floatValue(line, "lr", 1e-3f, 0f, 10f);
        float minLr = Flags.floatValue(line, "min-lr", 1e-4f, 0f, 10f);
        int warmup = Flags.intValue(line, "warmup", 100, 0, Integer.MAX_VALUE);
        LrSchedule.Kind kind;
        try {
            kind = LrSchedule.Kind.parse(line.getOptionValue("lr-schedule", "cosine"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        AdamWConfig paper = AdamWConfig.paper();
        AdamWConfig adamw = new AdamWConfig(paper.beta1(), paper.beta2(), paper.eps(),
                Flags.floatValue(line, "weight-decay", paper.weightDecay(), 0f, 10f),
                Flags.floatValue(line, "grad-clip", paper.gradClip(), 0f, 1e6f));
        int evalEvery = Flags.intValue(line, "eval-every", 500, 1, Integer.MAX_VALUE);
        int logEvery = Flags.intValue(line, "log-every", 10, 1, Integer.MAX_VALUE);
        int evalSamples = Flags.intValue(line, "eval-samples", 200, 1, 1_000_000);
        String backend = BackendOptions.name(line, "auto");
        int threads = Flags.intValue(line, "threads", 0, 0, 1024);
        RandomPadding randomPadding = randomPadding(line, task.format().width());
        if (randomPadding.on() && !task.format().padded()) {
            throw new UsageException("--random-padding varies the zero padding, which --no-padding removes: drop one"
                    + " of them");
        }
        int trainSize = task.trainSizeFor(train);
        try {
            // Builds the training set's size check now, so "more pairs than exist" is a usage error, not a crash.
            new dev.lengthgen.tasks.sampling.Dataset(task.task(), task.format(), train, task.trainSampler(), task.seed(),
                    trainSize);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new TrainSettings(task.task(), task.format(), train, test, task.trainSampler(), task.testSampler(),
                trainSize, task.balanceLengths(), randomPadding, model, steps,
                batch, new LrSchedule(kind, lr, minLr, warmup, steps), adamw, evalEvery, logEvery, evalSamples,
                task.seed(), backend, line.getOptionValue("device"), threads, args);
    }

    /** --random-padding [K] (no value: W, any width) and --random-padding-share F. */
    private static RandomPadding randomPadding(CommandLine line, int width) throws UsageException {
        if (!line.hasOption("random-padding")) {
            if (line.hasOption("random-padding-share")) {
                throw new UsageException("--random-padding-share needs --random-padding: add it or drop the share");
            }
            return RandomPadding.NONE;
        }
        int narrower = line.getOptionValue("random-padding") == null ? width
                : Flags.intValue(line, "random-padding", width, 1, width);
        float share = Flags.floatValue(line, "random-padding-share", 1f, 0f, 1f);
        if (share == 0f) {
            throw new UsageException("--random-padding-share must be above 0 (got 0): drop --random-padding instead");
        }
        return new RandomPadding(narrower, share);
    }

    /** Rebuilds a run's settings from its config.json, with --steps (and the backend flags) of this invocation. */
    private TrainSettings settingsOfRun(RunDirectory dir, CommandLine now) throws UsageException {
        List<String> args = new ArrayList<>();
        try {
            JsonObject config = JsonParser.parseString(dir.read(RunDirectory.CONFIG)).getAsJsonObject();
            for (var e : config.getAsJsonArray("args")) {
                args.add(e.getAsString());
            }
        } catch (IOException | RuntimeException e) {
            throw new UsageException(dir.file(RunDirectory.CONFIG) + " is unreadable (" + e.getMessage()
                    + "): the run cannot be resumed");
        }
        // Flags of this invocation that may change on resume: the step budget and where it runs.
        List<String> changeable = new ArrayList<>(PLACEMENT_FLAGS);
        changeable.add("steps");
        for (String flag : changeable) {
            if (now.hasOption(flag)) {
                int at = args.indexOf("--" + flag);
                if (at >= 0) {
                    args.remove(at + 1);
                    args.remove(at);
                }
                args.add("--" + flag);
                args.add(now.getOptionValue(flag));
            }
        }
        try {
            return settingsFromArgs(args);
        } catch (ParseException e) {
            throw new UsageException(dir.file(RunDirectory.CONFIG) + " holds flags this version does not accept: "
                    + e.getMessage());
        }
    }

    /**
     * A run's settings from its flags as stored (config.json, a checkpoint's run description) or generated (an
     * experiment's plan), parsed exactly as on the command line.
     */
    public static TrainSettings settingsFromArgs(List<String> args) throws ParseException, UsageException {
        CommandLine line = new DefaultParser().parse(new TrainCommand().options(), args.toArray(new String[0]));
        return parseSettings(line, args);
    }

    /** config.json: the flags (to resume) and the resolved settings (to read). */
    private static JsonObject describe(TrainSettings s) {
        JsonObject o = new JsonObject();
        JsonArray args = new JsonArray();
        s.args().forEach(args::add);
        o.add("args", args);
        o.addProperty("task", s.task().op().cliName());
        o.addProperty("base", s.task().base());
        if (s.task().modulus() > 0) {
            o.addProperty("modulus", s.task().modulus());
        }
        o.add("format", GSON.toJsonTree(s.format()));
        o.addProperty("train_digits", s.train().toString());
        o.addProperty("test_digits", s.test().toString());
        o.addProperty("sampler", s.sampler().cliName());
        o.addProperty("train_size", s.trainSize());
        o.addProperty("balance_lengths", s.balanceLengths());
        o.addProperty("random_padding", s.randomPadding().narrower());
        o.addProperty("random_padding_share", s.randomPadding().share());
        o.add("model", GSON.toJsonTree(s.model()));
        o.addProperty("steps", s.steps());
        o.addProperty("batch", s.batch());
        o.add("schedule", GSON.toJsonTree(s.schedule()));
        o.add("adamw", GSON.toJsonTree(s.adamw()));
        o.addProperty("seed", s.seed());
        o.addProperty("backend", s.backend());
        return o;
    }

    /** What a checkpoint carries besides the model: enough to rebuild the task, format and data. */
    static Map<String, String> checkpointMetadata(TrainSettings s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("lengthgen.run", new Gson().toJson(describe(s)));
        return m;
    }
}

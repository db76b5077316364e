package dev.lengthgen.runner.run;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.InvalidConfigException;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.LrSchedule;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.ModelOptions;
import dev.lengthgen.runner.cli.TaskOptions;
import dev.lengthgen.runner.cli.TaskSetup;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.sequence.PositionIds;
import dev.lengthgen.runner.sequence.RandomPadding;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The flags that define one training run, their defaults, and their parsing into {@link TrainSettings}: from a
 * command line ({@code lengthgen train}), from the flags a run stored (config.json, a checkpoint's run description),
 * or from an experiment's plan. All three parse the same way, so a stored run means what it meant when it started.
 */
public final class RunFlags {
    public static final int DEFAULT_STEPS = 5000;
    public static final int DEFAULT_BATCH = 64;
    public static final float DEFAULT_LR = 1e-3f;
    public static final String DEFAULT_SCHEDULE = "cosine";
    public static final float DEFAULT_MIN_LR = 1e-4f;
    public static final int DEFAULT_WARMUP = 100;
    public static final int DEFAULT_EVAL_EVERY = 500;
    public static final int DEFAULT_LOG_EVERY = 10;
    public static final int DEFAULT_EVAL_SAMPLES = 200;
    public static final float DEFAULT_RANDOM_PADDING_SHARE = 1f;
    public static final int MAX_STEPS = Integer.MAX_VALUE - 1;

    /** Flags that say where a run computes, not what it computes: they may differ between invocations of one run. */
    public static final List<String> PLACEMENT = List.of("backend", "device", "threads");
    /** The step budget: a resumed run may be given more steps. */
    public static final String STEPS = "steps";

    private RunFlags() {
    }

    /** Adds every flag of a run: task and data, model, where it computes, and training. */
    public static void addTo(Options o) {
        TaskOptions.addTo(o);
        ModelOptions.addTo(o);
        BackendOptions.addTo(o);
        AdamWConfig paper = AdamWConfig.paper();
        o.addOption(Flags.valued(STEPS, "N", "optimizer steps in total", DEFAULT_STEPS));
        o.addOption(Flags.valued("batch", "N", "sequences per step", DEFAULT_BATCH));
        o.addOption(Flags.valued("lr", "LR", "peak learning rate", DEFAULT_LR));
        o.addOption(Flags.valued("lr-schedule", "const|cosine", "after warmup: constant, or cosine down to --min-lr",
                DEFAULT_SCHEDULE));
        o.addOption(Flags.valued("warmup", "N", "linear warmup steps", DEFAULT_WARMUP));
        o.addOption(Flags.valued("min-lr", "LR", "floor of the cosine schedule, at most --lr", DEFAULT_MIN_LR));
        o.addOption(Flags.valued("weight-decay", "W", "AdamW weight decay on matrices", paper.weightDecay()));
        o.addOption(Flags.valued("grad-clip", "G", "global gradient-norm clip, 0 for none", paper.gradClip()));
        o.addOption(Flags.valued("eval-every", "N", "evaluate and checkpoint every N steps", DEFAULT_EVAL_EVERY));
        o.addOption(Flags.valued("log-every", "N", "write a metrics line every N steps", DEFAULT_LOG_EVERY));
        o.addOption(Option.builder().longOpt("random-padding").hasArg().optionalArg(true).argName("K")
                .desc("pad each training example to a random width from W - K to W (default K: any width that holds"
                        + " it), so that a digit's place cannot be read from where it sits; an add or mul answer's"
                        + " padding shrinks with the operands', a modular answer keeps its width; tests stay padded"
                        + " to W").build());
        o.addOption(Flags.valued("random-padding-share", "F", "with --random-padding: the share of training examples"
                + " padded to a random width, the others to W", DEFAULT_RANDOM_PADDING_SHARE));
        o.addOption(Flags.valued("eval-samples", "N", "test problems per length for evaluations during training",
                DEFAULT_EVAL_SAMPLES));
    }

    /** The flags of a run, and nothing else. */
    public static Options options() {
        Options o = new Options();
        addTo(o);
        return o;
    }

    /**
     * The run flags given on a command line, in the order given, as the arguments that rebuild the same settings
     * (what config.json stores); flags of the command itself (--out, --resume, ...) are left out.
     */
    public static List<String> given(CommandLine line) {
        Options run = options();
        List<String> a = new ArrayList<>();
        for (Option o : line.getOptions()) {
            if (!run.hasLongOption(o.getLongOpt())) {
                continue;
            }
            a.add("--" + o.getLongOpt());
            if (o.hasArg() && o.getValue() != null) { // null: an optional value left out (--random-padding)
                a.add(o.getValue());
            }
        }
        return a;
    }

    /** Parses every setting of a run from stored or generated flags, exactly as on the command line. */
    public static TrainSettings parse(List<String> args) throws UsageException {
        CommandLine line;
        try {
            line = Flags.parser().parse(options(), args.toArray(new String[0]));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        if (!line.getArgList().isEmpty()) {
            throw new UsageException("unexpected argument '" + line.getArgList().get(0) + "'");
        }
        return parse(line, List.copyOf(args));
    }

    /** Parses every setting of a run from its command line; nothing is written before this succeeds. */
    public static TrainSettings parse(CommandLine line) throws UsageException {
        return parse(line, given(line));
    }

    private static TrainSettings parse(CommandLine line, List<String> args) throws UsageException {
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
        int steps = Flags.intValue(line, STEPS, DEFAULT_STEPS, 1, MAX_STEPS);
        int batch = Flags.intValue(line, "batch", DEFAULT_BATCH, 1, 1 << 16);
        LrSchedule schedule = schedule(line, steps);
        AdamWConfig paper = AdamWConfig.paper();
        AdamWConfig adamw = new AdamWConfig(paper.beta1(), paper.beta2(), paper.eps(),
                Flags.floatValue(line, "weight-decay", paper.weightDecay(), 0f, 10f),
                Flags.floatValue(line, "grad-clip", paper.gradClip(), 0f, 1e6f));
        int evalEvery = Flags.intValue(line, "eval-every", DEFAULT_EVAL_EVERY, 1, Integer.MAX_VALUE);
        int logEvery = Flags.intValue(line, "log-every", DEFAULT_LOG_EVERY, 1, Integer.MAX_VALUE);
        int evalSamples = Flags.intValue(line, "eval-samples", DEFAULT_EVAL_SAMPLES, 1, 1_000_000);
        BackendOptions.Placement placement = BackendOptions.placement(line, BackendOptions.DEFAULT_BACKEND);
        RandomPadding randomPadding = randomPadding(line, task.format().width());
        if (randomPadding.on() && !task.format().padded()) {
            throw new UsageException("--random-padding varies the zero padding, which --no-padding removes: drop one"
                    + " of them");
        }
        int trainSize = task.trainSizeFor(train);
        try {
            // Builds the training set's size check now, so "more pairs than exist" is a usage error, not a crash.
            new Dataset(task.task(), task.format(), train, task.trainSampler(), task.seed(), trainSize);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new TrainSettings(task.task(), task.format(), train, test, task.trainSampler(), task.testSampler(),
                trainSize, task.balanceLengths(), randomPadding, model, steps, batch, schedule, adamw, evalEvery,
                logEvery, evalSamples, task.seed(), placement.backend(), placement.device(), placement.threads(),
                args);
    }

    /** --lr, --min-lr, --warmup and --lr-schedule, checked as a whole: a schedule never rises after its warmup. */
    private static LrSchedule schedule(CommandLine line, int steps) throws UsageException {
        float lr = Flags.floatValue(line, "lr", DEFAULT_LR, 0f, 10f);
        float minLr = Flags.floatValue(line, "min-lr", DEFAULT_MIN_LR, 0f, 10f);
        int warmup = Flags.intValue(line, "warmup", DEFAULT_WARMUP, 0, Integer.MAX_VALUE);
        try {
            LrSchedule.Kind kind = LrSchedule.Kind.parse(line.getOptionValue("lr-schedule", DEFAULT_SCHEDULE));
            return new LrSchedule(kind, lr, minLr, warmup, steps).validate();
        } catch (InvalidConfigException e) {
            throw new UsageException(ModelOptions.inFlagTerms(e));
        }
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
        float share = Flags.floatValue(line, "random-padding-share", DEFAULT_RANDOM_PADDING_SHARE, 0f, 1f);
        if (share == 0f) {
            throw new UsageException("--random-padding-share must be above 0 (got 0): drop --random-padding instead");
        }
        return new RandomPadding(narrower, share);
    }

    /** The flags with the named ones (and their values) left out. */
    public static List<String> without(List<String> args, Collection<String> flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--") && flags.contains(a.substring(2))) {
                if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    i++; // its value
                }
                continue;
            }
            out.add(a);
        }
        return out;
    }
}

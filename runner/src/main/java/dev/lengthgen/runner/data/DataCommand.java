package dev.lengthgen.runner.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.OutputPath;
import dev.lengthgen.runner.cli.TaskOptions;
import dev.lengthgen.runner.cli.TaskSetup;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.Radix;
import dev.lengthgen.tasks.eval.LengthLabel;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.EncodedExample;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code lengthgen data}: shows examples exactly as a model sees them. The training split prints the first
 * training batch of the dataset the same flags build (same seed, size and generator as {@code train}); the test
 * split prints each test length's fixed test set. Text mode writes the sequence between {@code <bos>} and
 * {@code <eos>}, and with --ids the token ids; --json writes one object; --out writes either to a file.
 */
public final class DataCommand implements Command {
    static final String DEFAULT_TRAIN = "4";
    static final String DEFAULT_SPLIT = "train";
    static final int DEFAULT_COUNT = 10;

    @Override
    public String name() {
        return "data";
    }

    @Override
    public String summary() {
        return "print or write training/test examples exactly as the model sees them";
    }

    @Override
    public Options options() {
        Options o = new Options();
        TaskOptions.addTo(o);
        o.addOption(Flags.valued("split", "train|test", "training batch 0 (train) or the test sets of --test-digits",
                DEFAULT_SPLIT));
        o.addOption(Flags.valued("count", "K", "examples to show (per test length for --split test)", DEFAULT_COUNT));
        o.addOption(Option.builder().longOpt("ids").desc("also show the token ids").build());
        o.addOption(Option.builder().longOpt("json").desc("one JSON object on standard output").build());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE|DIR")
                .desc("write to FILE (or DIR/data-SPLIT.txt|json) instead of standard output").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        TaskSetup setup = TaskOptions.parse(line);
        String split = line.getOptionValue("split", DEFAULT_SPLIT).trim();
        if (!split.equals("train") && !split.equals("test")) {
            throw new UsageException("--split must be train or test (got '" + split + "')");
        }
        int count = positive(line, "count", DEFAULT_COUNT);
        boolean ids = line.hasOption("ids");
        boolean json = line.hasOption("json");
        OutputPath target = line.hasOption("out")
                ? OutputPath.resolve(Flags.path(line, "out"), "data-" + split + (json ? ".json" : ".txt")) : null;
        DigitSpec train = setup.trainOr(DigitSpec.parse(DEFAULT_TRAIN));
        DigitSpec test = setup.test() != null ? setup.test() : train;
        Dataset dataset;
        try {
            dataset = new Dataset(setup.task(), setup.format(), train, setup.trainSampler(), setup.seed(),
                    setup.trainSizeFor(train), setup.balanceLengths());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + " (--train-size)");
        }
        Codec codec = setup.codec();
        JsonObject root = header(setup, dataset, split, codec);
        JsonArray examples = new JsonArray();
        StringBuilder text = new StringBuilder();
        text.append("# ").append(describe(setup, dataset)).append('\n');
        if (split.equals("train")) {
            text.append("# training batch 0 (the first ").append(count).append(" examples a run sees)\n");
            for (Problem p : dataset.trainBatch(0, count)) {
                add(p, LengthLabel.ID, codec, ids, examples, text);
            }
        } else {
            for (int m : test.lengths()) {
                List<Problem> problems;
                try {
                    problems = dataset.testSet(m, count, setup.testSampler());
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                LengthLabel label = LengthLabel.of(m, train);
                text.append("# test ").append(setup.testSampler().domain(m)).append(" (").append(label.cliName())
                        .append("), ").append(problems.size()).append(" pairs not in training\n");
                for (Problem p : problems) {
                    add(p, label, codec, ids, examples, text);
                }
            }
        }
        root.add("examples", examples);
        String output = json ? new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root)
                + "\n" : text.toString();
        if (target != null) {
            target.write(output);
            out.println("wrote " + examples.size() + " examples to " + target.file());
        } else {
            out.print(output);
        }
        return 0;
    }

    private static String describe(TaskSetup setup, Dataset d) {
        return setup.task().describe() + "; " + setup.format().describe() + "; train "
                + (d.trainSpec().lengths().size() == 1 ? setup.trainSampler().domain(d.trainSpec().min())
                : d.trainSpec() + " digits") + " (generator " + setup.trainSampler().cliName() + "), "
                + d.trainSize() + " unique pairs, seed " + setup.seed() + "; vocabulary "
                + setup.codec().vocabulary().size() + " tokens";
    }

    private static JsonObject header(TaskSetup setup, Dataset d, String split, Codec codec) {
        ArithmeticTask task = setup.task();
        JsonObject root = new JsonObject();
        root.addProperty("task", task.op().cliName());
        root.addProperty("base", task.base());
        if (task.op().isModular()) {
            root.addProperty("modulus", task.modulus());
        }
        JsonObject format = new JsonObject();
        format.addProperty("width", setup.format().width());
        format.addProperty("answerWidth", setup.format().answerWidth());
        format.addProperty("reverseAnswer", setup.format().reverseAnswer());
        format.addProperty("reverseOperands", setup.format().reverseOperands());
        format.addProperty("padded", setup.format().padded());
        format.addProperty("operator", String.valueOf(setup.format().operator()));
        root.add("format", format);
        root.addProperty("trainDigits", d.trainSpec().toString());
        root.addProperty("sampler", setup.trainSampler().cliName());
        root.addProperty("testSampler", setup.testSampler().cliName());
        root.addProperty("trainSize", d.trainSize());
        root.addProperty("seed", setup.seed());
        root.addProperty("split", split);
        root.addProperty("vocabularySize", codec.vocabulary().size());
        JsonArray vocab = new JsonArray();
        for (int id = 0; id < codec.vocabulary().size(); id++) {
            vocab.add(String.valueOf(codec.vocabulary().symbol(id)));
        }
        root.add("vocabulary", vocab);
        return root;
    }

    private static void add(Problem p, LengthLabel label, Codec codec, boolean ids, JsonArray examples,
                            StringBuilder text) {
        int base = codec.task().base();
        EncodedExample e = codec.encode(p);
        String body = codec.text(p);
        JsonObject o = new JsonObject();
        o.addProperty("digits", Math.max(Radix.digitCount(p.a(), base), Radix.digitCount(p.b(), base)));
        o.addProperty("label", label.cliName());
        o.addProperty("a", Radix.toString(p.a(), base));
        o.addProperty("b", Radix.toString(p.b(), base));
        o.addProperty("answer", Radix.toString(codec.task().apply(p.a(), p.b()), base));
        o.addProperty("text", body);
        o.addProperty("answerStart", e.answerStart());
        if (ids) {
            JsonArray t = new JsonArray();
            for (int id : e.tokens()) {
                t.add(id);
            }
            o.add("tokens", t);
        }
        examples.add(o);
        text.append("<bos>").append(body).append("<eos>\n");
        if (ids) {
            text.append("  ids:");
            for (int id : e.tokens()) {
                text.append(' ').append(id);
            }
            text.append('\n');
        }
    }

    private static int positive(CommandLine line, String flag, int fallback) throws UsageException {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        String raw = line.getOptionValue(flag).trim();
        try {
            int v = Integer.parseInt(raw);
            if (v < 1 || v > 10_000_000) {
                throw new UsageException("--" + flag + " must be between 1 and 10000000 (got " + v + ")");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " needs a whole number, got '" + raw + "'");
        }
    }
}

package dev.lengthgen.runner.cli;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.format.Format;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The task, format and data flags every command that touches problems shares (train, eval, reproduce, data,
 * theory): {@code --task --modulus --base --width --train-digits --test-digits --seed --sampler --test-sampler
 * --train-size} and the format flags {@code --answer-width --plain-answer --reverse-operands --no-padding
 * --operator}. Bad values become one-line {@link UsageException}s that name the flag to fix.
 */
public final class TaskOptions {
    public static final String DEFAULT_TASK = "add";
    public static final int DEFAULT_BASE = 10;
    public static final int DEFAULT_WIDTH = 20;
    public static final int MAX_WIDTH = 200;
    public static final long DEFAULT_SEED = 0;
    public static final Sampler DEFAULT_SAMPLER = Sampler.A;
    public static final Sampler DEFAULT_TEST_SAMPLER = Sampler.B;

    private TaskOptions() {
    }

    /** Adds the shared flags to a command's options. */
    public static void addTo(Options options) {
        options.addOption(Flags.valued("task", "NAME", "add, mul, mod-add or mod-mul", DEFAULT_TASK));
        options.addOption(Flags.valued("modulus", "P", "the modulus p >= 2 of mod-add and mod-mul"));
        options.addOption(Flags.valued("base", "B", "number base, 2 to 16", DEFAULT_BASE));
        options.addOption(Flags.valued("width", "W", "operand width W: operands have at most W digits",
                DEFAULT_WIDTH));
        options.addOption(Flags.valued("train-digits", "SPEC",
                "training lengths: 4, 4,5, 1-9 or weighted 4:0.5,5:0.5"));
        options.addOption(Flags.valued("test-digits", "SPEC", "test lengths, same forms as --train-digits"));
        options.addOption(Flags.valued("seed", "S", "seed of the data and, when training, of initialisation and"
                + " dropout", DEFAULT_SEED));
        options.addOption(Flags.valued("sampler", "a|b", "training generator: a = D_n (at least one operand n digits),"
                + " b = D~_n (both n digits)", DEFAULT_SAMPLER.cliName()));
        options.addOption(Flags.valued("test-sampler", "a|b", "test generator; b as the paper's tests",
                DEFAULT_TEST_SAMPLER.cliName()));
        options.addOption(Flags.valued("train-size", "N|all", "unique training pairs (default "
                + TaskSetup.DEFAULT_TRAIN_SIZE + ", or 90% of the pairs that exist if fewer)"));
        options.addOption(Option.builder().longOpt("balance-lengths")
                .desc("batches draw every training length at its weight, repeating the pairs of short lengths that"
                        + " have fewer (default: each unique pair once per epoch, so long lengths dominate a mix)")
                .build());
        options.addOption(Flags.valued("answer-width", "N", "answer digits (default: the most any answer can have: W+1"
                + " for add, 2W for mul, the digits of p-1 for mod)"));
        options.addOption(Option.builder().longOpt("plain-answer")
                .desc("write the answer most significant digit first (default: reversed)").build());
        options.addOption(Option.builder().longOpt("reverse-operands")
                .desc("write the operands least significant digit first").build());
        options.addOption(Option.builder().longOpt("no-padding")
                .desc("no zero padding: variable-length sequences").build());
        options.addOption(Flags.valued("operator", "C",
                "operator symbol (default '+', as the paper writes for every task)"));
    }

    /**
     * Parses and checks the shared flags: the operation and modulus agree, 2 <= base <= 16, every train and test
     * length fits W and the answer width.
     */
    public static TaskSetup parse(CommandLine line) throws UsageException {
        Operation op;
        try {
            op = Operation.parse(line.getOptionValue("task", DEFAULT_TASK));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--task: " + e.getMessage());
        }
        int base = Flags.intValue(line, "base", DEFAULT_BASE, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (base < 2 || base > 16) {
            throw new UsageException("--base must be between 2 and 16 (got " + base + ")");
        }
        long modulus = 0;
        if (op.isModular()) {
            if (!line.hasOption("modulus")) {
                throw new UsageException(op.cliName() + " needs --modulus P (an integer >= 2, e.g. --modulus 101)");
            }
            modulus = Flags.longValue(line, "modulus", 0);
            if (modulus < 2) {
                throw new UsageException("--modulus must be at least 2 (got " + modulus + ")");
            }
        } else if (line.hasOption("modulus")) {
            throw new UsageException("--modulus applies only to mod-add and mod-mul: drop it or use --task mod-"
                    + op.cliName());
        }
        ArithmeticTask task = new ArithmeticTask(op, base, modulus);
        int width = Flags.intValue(line, "width", DEFAULT_WIDTH, 1, MAX_WIDTH);
        Format format = Format.defaults(task, width);
        if (line.hasOption("answer-width")) {
            format = format.withAnswerWidth(Flags.intValue(line, "answer-width", 0, 1, 2 * MAX_WIDTH));
        }
        format = format.withReverseAnswer(!line.hasOption("plain-answer"))
                .withReverseOperands(line.hasOption("reverse-operands"))
                .withPadded(!line.hasOption("no-padding"));
        if (line.hasOption("operator")) {
            String op1 = line.getOptionValue("operator");
            if (op1.length() != 1) {
                throw new UsageException("--operator needs one character (e.g. --operator '*'), got '" + op1 + "'");
            }
            try {
                format = format.withOperator(op1.charAt(0));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--operator: " + e.getMessage());
            }
        }
        DigitSpec train = spec(line, "train-digits");
        DigitSpec test = spec(line, "test-digits");
        checkFits(task, format, train, "train-digits");
        checkFits(task, format, test, "test-digits");
        long seed = Flags.longValue(line, "seed", DEFAULT_SEED);
        Sampler trainSampler = sampler(line, "sampler", DEFAULT_SAMPLER);
        Sampler testSampler = sampler(line, "test-sampler", DEFAULT_TEST_SAMPLER);
        Integer trainSize = null;
        if (line.hasOption("train-size")) {
            String raw = line.getOptionValue("train-size").trim();
            trainSize = raw.equalsIgnoreCase("all") ? Dataset.ALL
                    : Flags.intValue(line, "train-size", 0, 1, Integer.MAX_VALUE - 16);
        }
        return new TaskSetup(task, format, train, test, seed, trainSampler, testSampler, trainSize,
                line.hasOption("balance-lengths"));
    }

    /** Checks that every length of a spec fits the width and the answer width; the message names the flags. */
    public static void checkFits(ArithmeticTask task, Format format, DigitSpec spec, String flag)
            throws UsageException {
        if (spec == null) {
            return;
        }
        int n = spec.max();
        if (n > format.width()) {
            throw new UsageException("--" + flag + " " + spec + " has " + n + "-digit operands but the width is W="
                    + format.width() + ": raise --width to at least " + n + " or use shorter lengths");
        }
        int need = task.maxAnswerDigits(n);
        if (need > format.answerWidth()) {
            throw new UsageException("--answer-width " + format.answerWidth() + " is too small for "
                    + task.op().cliName() + " answers of " + n + "-digit operands (up to " + need
                    + " digits): raise it to " + need + " or use shorter lengths in --" + flag);
        }
    }

    private static DigitSpec spec(CommandLine line, String flag) throws UsageException {
        if (!line.hasOption(flag)) {
            return null;
        }
        try {
            return DigitSpec.parse(line.getOptionValue(flag));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + flag + ": " + e.getMessage());
        }
    }

    private static Sampler sampler(CommandLine line, String flag, Sampler fallback) throws UsageException {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        try {
            return Sampler.parse(line.getOptionValue(flag));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + flag + ": " + e.getMessage());
        }
    }
}

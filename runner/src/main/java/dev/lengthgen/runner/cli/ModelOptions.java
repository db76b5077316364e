package dev.lengthgen.runner.cli;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.InvalidConfigException;
import dev.lengthgen.model.config.PositionConfig;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.util.Map;

/**
 * --preset, the per-field overrides of the model shape, and the position scheme (--pos and its settings). The model
 * layer checks its configs in its own terms; {@link #inFlagTerms} is the one place that says which flag sets which
 * config field.
 */
public final class ModelOptions {
    public static final String DEFAULT_PRESET = "micro";
    public static final String DEFAULT_POSITION = "ape";

    /** The flag that sets each config field, by the field's name in the model's records. */
    private static final Map<String, String> FLAG_OF_FIELD = Map.ofEntries(
            Map.entry("layers", "--layers"), Map.entry("heads", "--heads"), Map.entry("dim", "--dim"),
            Map.entry("context", "--context"), Map.entry("dropout", "--dropout"), Map.entry("scheme", "--pos"),
            Map.entry("ropeBase", "--rope-base"), Map.entry("maxOffset", "--max-offset"),
            Map.entry("buckets", "--t5-buckets"), Map.entry("maxDistance", "--t5-max-distance"),
            Map.entry("randomRange", "--randomize-positions"), Map.entry("maxLr", "--lr"),
            Map.entry("minLr", "--min-lr"), Map.entry("warmup", "--warmup"), Map.entry("kind", "--lr-schedule"),
            Map.entry("totalSteps", "--steps"));

    private ModelOptions() {
    }

    /**
     * A config error as the command line says it: every field it names written as the flag that sets it ("--dim 15
     * is not divisible by --heads 2"); a field no flag sets (the vocabulary, which the task sets) keeps its name.
     */
    public static String inFlagTerms(InvalidConfigException e) {
        return e.render(field -> FLAG_OF_FIELD.getOrDefault(field, field));
    }

    public static void addTo(Options o) {
        o.addOption(Option.builder().longOpt("preset").hasArg().argName("NAME")
                .desc("model preset: " + String.join(" | ", GptConfig.PRESETS.keySet()) + " (default "
                        + DEFAULT_PRESET + ")").build());
        o.addOption(Option.builder().longOpt("layers").hasArg().argName("N").desc("transformer blocks").build());
        o.addOption(Option.builder().longOpt("heads").hasArg().argName("N").desc("attention heads").build());
        o.addOption(Option.builder().longOpt("dim").hasArg().argName("N")
                .desc("model width (divisible by heads)").build());
        o.addOption(Option.builder().longOpt("context").hasArg().argName("N")
                .desc("positions the model can see (default: the preset's)").build());
        o.addOption(Option.builder().longOpt("dropout").hasArg().argName("P").desc("dropout probability").build());
        o.addOption(Option.builder().longOpt("bias").desc("give linear layers and layernorms biases").build());
        o.addOption(Option.builder().longOpt("untied")
                .desc("a separate output head instead of tied embeddings").build());
        o.addOption(Option.builder().longOpt("pos").hasArg().argName("SCHEME")
                .desc("position scheme: ape | sinusoidal | nope | rope | alibi | t5 | abacus | coupling (default "
                        + DEFAULT_POSITION + ")")
                .build());
        o.addOption(Option.builder().longOpt("rope-base").hasArg().argName("B")
                .desc("rope's frequency base (default " + (int) PositionConfig.DEFAULT_ROPE_BASE + ")").build());
        o.addOption(Option.builder().longOpt("max-offset").hasArg().argName("N")
                .desc("abacus, coupling: training adds a random offset in [0, N] to every digit id of an example, so "
                        + "the ids of long test numbers are trained (default: the operand width W)").build());
        o.addOption(Option.builder().longOpt("t5-buckets").hasArg().argName("K")
                .desc("t5: relative-distance buckets per head (default " + PositionConfig.DEFAULT_BUCKETS + ")")
                .build());
        o.addOption(Option.builder().longOpt("t5-max-distance").hasArg().argName("D")
                .desc("t5: distance where the log-spaced buckets end (default " + PositionConfig.DEFAULT_MAX_DISTANCE
                        + ")").build());
        o.addOption(Option.builder().longOpt("randomize-positions").hasArg().argName("RANGE")
                .desc("ape, sinusoidal, rope, alibi, t5: training position ids are a sorted random subset of "
                        + "[0, RANGE) (alibi, t5: one draw per batch); 0, 1, 2, ... at evaluation").build());
    }

    /**
     * The config the flags describe, at the task's vocabulary, checked against the longest sequence it will see.
     */
    public static GptConfig parse(CommandLine line, int vocab, int longestSequence) throws UsageException {
        return parse(line, vocab, longestSequence, 0);
    }

    /**
     * As {@link #parse(CommandLine, int, int)}, with the offset range abacus and coupling get when --max-offset is
     * not given.
     */
    public static GptConfig parse(CommandLine line, int vocab, int longestSequence, int defaultMaxOffset)
            throws UsageException {
        GptConfig c;
        try {
            c = GptConfig.preset(line.getOptionValue("preset", DEFAULT_PRESET));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        c = c.withVocab(vocab)
                .withLayers(Flags.intValue(line, "layers", c.layers(), 1, 1024))
                .withHeads(Flags.intValue(line, "heads", c.heads(), 1, 1024))
                .withDim(Flags.intValue(line, "dim", c.dim(), 1, 1 << 16))
                .withContext(Flags.intValue(line, "context", c.context(), 1, 1 << 20))
                .withDropout(Flags.floatValue(line, "dropout", c.dropout(), 0f, 0.99f));
        if (line.hasOption("bias")) {
            c = c.withBias(true);
        }
        if (line.hasOption("untied")) {
            c = c.withTiedEmbeddings(false);
        }
        c = c.withPosition(position(line, defaultMaxOffset));
        try {
            return c.validate(longestSequence);
        } catch (InvalidConfigException e) {
            throw new UsageException(inFlagTerms(e));
        }
    }

    private static PositionConfig position(CommandLine line, int defaultMaxOffset) throws UsageException {
        PositionConfig.Scheme scheme;
        try {
            scheme = PositionConfig.Scheme.parse(line.getOptionValue("pos", DEFAULT_POSITION));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pos: " + e.getMessage());
        }
        PositionConfig p = PositionConfig.of(scheme)
                .withRopeBase(Flags.floatValue(line, "rope-base", PositionConfig.DEFAULT_ROPE_BASE, 1f, 1e9f))
                .withBuckets(Flags.intValue(line, "t5-buckets", PositionConfig.DEFAULT_BUCKETS, 2, 1 << 16),
                        Flags.intValue(line, "t5-max-distance", PositionConfig.DEFAULT_MAX_DISTANCE, 2, 1 << 20))
                .withRandomRange(Flags.intValue(line, "randomize-positions", 0, 0, 1 << 20));
        int offset = Flags.intValue(line, "max-offset", scheme.fromDigitPlaces() ? defaultMaxOffset : 0, 0, 1 << 20);
        return p.withMaxOffset(offset);
    }
}

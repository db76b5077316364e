package dev.lengthgen.runner.cli;

import dev.lengthgen.model.config.GptConfig;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** --preset and the per-field overrides of the model shape. */
public final class ModelOptions {
    private ModelOptions() {
    }

    public static void addTo(Options o) {
        o.addOption(Option.builder().longOpt("preset").hasArg().argName("NAME")
                .desc("model preset: " + String.join(" | ", GptConfig.PRESETS.keySet()) + " (default micro)").build());
        o.addOption(Option.builder().longOpt("layers").hasArg().argName("N").desc("transformer blocks").build());
        o.addOption(Option.builder().longOpt("heads").hasArg().argName("N").desc("attention heads").build());
        o.addOption(Option.builder().longOpt("dim").hasArg().argName("N").desc("model width (divisible by heads)").build());
        o.addOption(Option.builder().longOpt("context").hasArg().argName("N")
                .desc("positions the model can see (default: the preset's)").build());
        o.addOption(Option.builder().longOpt("dropout").hasArg().argName("P").desc("dropout probability").build());
        o.addOption(Option.builder().longOpt("bias").desc("give linear layers and layernorms biases").build());
        o.addOption(Option.builder().longOpt("untied").desc("a separate output head instead of tied embeddings").build());
    }

    /**
     * The config the flags describe, at the task's vocabulary, checked against the longest sequence it will see.
     */
    public static GptConfig parse(CommandLine line, int vocab, int longestSequence) throws UsageException {
        GptConfig c;
        try {
            c = GptConfig.preset(line.getOptionValue("preset", "micro"));
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
        try {
            return c.validate(longestSequence);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

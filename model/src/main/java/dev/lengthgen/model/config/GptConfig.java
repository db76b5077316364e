package dev.lengthgen.model.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of a GPT (nanoGPT's GPTConfig): pre-LN decoder blocks, GELU MLP 4x, and a position scheme (learned
 * absolute by default).
 *
 * @param layers  number of transformer blocks (L)
 * @param heads   attention heads per block (NH)
 * @param dim     model width (C); must be divisible by heads
 * @param context positions the model can see (rows of the position embedding, maxT)
 * @param vocab   vocabulary size (V), set from the task's vocabulary
 * @param dropout dropout probability on the embedding and both residual branches during training
 * @param bias    whether linear layers and layernorms carry biases (the paper: no)
 * @param tiedEmbeddings whether the output head reuses the token embedding (the paper: yes)
 * @param position the position scheme and its settings (the paper: learned absolute, {@link PositionConfig#ape()})
 */
public record GptConfig(int layers, int heads, int dim, int context, int vocab, float dropout, boolean bias,
                        boolean tiedEmbeddings, PositionConfig position) {

    public GptConfig {
        if (position == null) { // checkpoints written before position schemes existed were all learned absolute
            position = PositionConfig.ape();
        }
    }

    /** A config with learned absolute positions (the paper's). */
    public GptConfig(int layers, int heads, int dim, int context, int vocab, float dropout, boolean bias,
                     boolean tiedEmbeddings) {
        this(layers, heads, dim, context, vocab, dropout, bias, tiedEmbeddings, PositionConfig.ape());
    }

    /** The paper's presets (docs/ARCHITECTURE.md, "The paper's setup"), at vocabulary 16 and context 256. */
    public static final Map<String, GptConfig> PRESETS;

    static {
        Map<String, GptConfig> p = new LinkedHashMap<>();
        p.put("nano", new GptConfig(3, 3, 48, 256, 16, 0.2f, false, true));
        p.put("micro", new GptConfig(4, 4, 128, 256, 16, 0.2f, false, true));
        p.put("mini", new GptConfig(6, 6, 384, 256, 16, 0.2f, false, true));
        p.put("gpt2", new GptConfig(12, 12, 768, 256, 16, 0.2f, false, true));
        PRESETS = Collections.unmodifiableMap(p);
    }

    public static GptConfig preset(String name) {
        GptConfig c = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "': use one of " + PRESETS.keySet());
        }
        return c;
    }

    /** Head size hs = C / NH. */
    public int headSize() {
        return dim / heads;
    }

    /**
     * Checks the combination and returns this config; the message says what to change, in the config's terms
     * ({@link InvalidConfigException}).
     *
     * @param longestSequence the longest input sequence the task will feed (0 to skip that check)
     */
    public GptConfig validate(int longestSequence) {
        if (layers < 1 || heads < 1 || dim < 1 || context < 1 || vocab < 2) {
            throw new InvalidConfigException("{layers}, {heads}, {dim} and {context} must be positive and {vocab} at"
                    + " least 2 (got " + this + ")");
        }
        if (dim % heads != 0) {
            throw new InvalidConfigException("{dim} " + dim + " is not divisible by {heads} " + heads
                    + ": choose a {dim} that is a multiple of {heads}");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new InvalidConfigException("{dropout} must be in [0, 1), got " + dropout);
        }
        if (longestSequence > context) {
            throw new InvalidConfigException("{context} " + context + " is shorter than the task's sequences ("
                    + longestSequence + " tokens): raise {context} to at least " + longestSequence);
        }
        position.validate(context, headSize(), longestSequence);
        return this;
    }

    public GptConfig withLayers(int v) {
        return new GptConfig(v, heads, dim, context, vocab, dropout, bias, tiedEmbeddings, position);
    }

    public GptConfig withHeads(int v) {
        return new GptConfig(layers, v, dim, context, vocab, dropout, bias, tiedEmbeddings, position);
    }

    public GptConfig withDim(int v) {
        return new GptConfig(layers, heads, v, context, vocab, dropout, bias, tiedEmbeddings, position);
    }

    public GptConfig withContext(int v) {
        return new GptConfig(layers, heads, dim, v, vocab, dropout, bias, tiedEmbeddings, position);
    }

    public GptConfig withVocab(int v) {
        return new GptConfig(layers, heads, dim, context, v, dropout, bias, tiedEmbeddings, position);
    }

    public GptConfig withDropout(float v) {
        return new GptConfig(layers, heads, dim, context, vocab, v, bias, tiedEmbeddings, position);
    }

    public GptConfig withBias(boolean v) {
        return new GptConfig(layers, heads, dim, context, vocab, dropout, v, tiedEmbeddings, position);
    }

    public GptConfig withPosition(PositionConfig v) {
        return new GptConfig(layers, heads, dim, context, vocab, dropout, bias, tiedEmbeddings, v);
    }

    public GptConfig withTiedEmbeddings(boolean v) {
        return new GptConfig(layers, heads, dim, context, vocab, dropout, bias, v, position);
    }
}

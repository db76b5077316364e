package dev.lengthgen.model.config;

import java.util.Locale;

/**
 * How a model knows where a token is: the position scheme and its settings. It is part of the model config, so a
 * checkpoint carries it and refuses to load into a model with another scheme.
 *
 * <p>Every scheme reads one position id per token (the batch's {@code positions}). For the sequence schemes (ape,
 * sinusoidal, nope, rope, alibi, t5) it is the token's index in the sequence, or, with {@code randomRange > 0}, a
 * sorted random subset of [0, randomRange) at training time. For the digit schemes (abacus, coupling) it is computed
 * from each token's place within its number and shifted by a random offset in [0, maxOffset] at training time.
 *
 * @param scheme      the encoding
 * @param ropeBase    rope's frequency base (theta = base^(-2i/hs))
 * @param maxOffset   abacus and coupling: largest random offset added to the digit ids of a training example
 *                    (0 at evaluation); chosen so that the trained ids cover the places the tests use
 * @param buckets     t5: learned bias buckets per head (K)
 * @param maxDistance t5: distance at which the log-spaced buckets end (farther pairs share the last bucket)
 * @param randomRange when positive, training position ids are a sorted random subset of [0, randomRange) (ape,
 *                    sinusoidal, rope, alibi, t5); 0 for plain 0, 1, 2, ...
 */
public record PositionConfig(Scheme scheme, float ropeBase, int maxOffset, int buckets, int maxDistance,
                             int randomRange) {

    /** The position encodings. */
    public enum Scheme {
        /** Learned absolute embedding wpe[position] added to the token embedding (nanoGPT, the paper's default). */
        APE("ape"),
        /** Fixed sin/cos table added to the token embedding (Vaswani et al.); not a parameter. */
        SINUSOIDAL("sinusoidal"),
        /** No position information beyond the causal mask. */
        NOPE("nope"),
        /** Rotary q and k by position id (Su et al.). */
        ROPE("rope"),
        /** Fixed per-head bias -slope_h * distance on the attention scores (Press et al.). */
        ALIBI("alibi"),
        /** Learned per-head bias over bucketed relative distance (Raffel et al.), causal (one direction). */
        T5("t5"),
        /** Learned embedding of each digit's place inside its own number (McLeish et al. 2024). */
        ABACUS("abacus"),
        /** Digits of equal significance in both operands and the answer share one position id (Cho et al. 2024). */
        COUPLING("coupling");

        private final String cliName;

        Scheme(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }

        public static Scheme parse(String name) {
            for (Scheme s : values()) {
                if (s.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown position scheme '" + name + "': use one of "
                    + "ape, sinusoidal, nope, rope, alibi, t5, abacus, coupling");
        }

        /** Whether position ids index a learned table wpe (its rows are the model's context). */
        public boolean learnsTable() {
            return this == APE || this == ABACUS || this == COUPLING;
        }

        /** Whether the ids come from each digit's place in its number rather than from the sequence index. */
        public boolean fromDigitPlaces() {
            return this == ABACUS || this == COUPLING;
        }

        /** Whether the scheme adds a (NH, T, T) bias to the attention scores. */
        public boolean biasesAttention() {
            return this == ALIBI || this == T5;
        }
    }

    public static final float DEFAULT_ROPE_BASE = 10000f;
    public static final int DEFAULT_BUCKETS = 32;
    public static final int DEFAULT_MAX_DISTANCE = 128;

    /** A scheme with the default settings (no offsets, no randomized positions). */
    public static PositionConfig of(Scheme scheme) {
        return new PositionConfig(scheme, DEFAULT_ROPE_BASE, 0, DEFAULT_BUCKETS, DEFAULT_MAX_DISTANCE, 0);
    }

    /** The paper's learned absolute positions. */
    public static PositionConfig ape() {
        return of(Scheme.APE);
    }

    /**
     * Whether every token is read at a fixed position (its index in the sequence): ape and sinusoidal without
     * randomized positions. The truncation theory's predictions are for such models only.
     */
    public boolean absolute() {
        return (scheme == Scheme.APE || scheme == Scheme.SINUSOIDAL) && randomRange == 0;
    }

    public PositionConfig withMaxOffset(int v) {
        return new PositionConfig(scheme, ropeBase, v, buckets, maxDistance, randomRange);
    }

    public PositionConfig withRopeBase(float v) {
        return new PositionConfig(scheme, v, maxOffset, buckets, maxDistance, randomRange);
    }

    public PositionConfig withBuckets(int k, int distance) {
        return new PositionConfig(scheme, ropeBase, maxOffset, k, distance, randomRange);
    }

    public PositionConfig withRandomRange(int v) {
        return new PositionConfig(scheme, ropeBase, maxOffset, buckets, maxDistance, v);
    }

    /**
     * The largest position id a model with this scheme may be fed, given the longest sequence: the table's last
     * row for the table schemes. Digit ids never exceed the sequence length (a place is at most the number's
     * length) plus one (coupling shifts the answer by one) plus the offset.
     */
    public int largestId(int longestSequence) {
        if (scheme.fromDigitPlaces()) {
            return longestSequence + 1 + maxOffset;
        }
        return randomRange > 0 ? randomRange - 1 : longestSequence - 1;
    }

    /**
     * Checks the settings against the model shape; the message names the setting to change, in the config's terms
     * ({@link InvalidConfigException}: {@code {context}} is the model's, the others this record's).
     *
     * @param longestSequence the longest input sequence (0 to skip the checks that need it)
     */
    void validate(int context, int headSize, int longestSequence) {
        if (scheme == null) {
            throw new InvalidConfigException("a position {scheme} is required");
        }
        if (maxOffset < 0) {
            throw new InvalidConfigException("{maxOffset} must be at least 0, got " + maxOffset);
        }
        if (maxOffset > 0 && !scheme.fromDigitPlaces()) {
            throw new InvalidConfigException("{maxOffset} applies to {scheme} abacus and coupling only, not "
                    + scheme.cliName());
        }
        if (randomRange < 0) {
            throw new InvalidConfigException("{randomRange} must be a positive range, got " + randomRange);
        }
        if (randomRange > 0 && (scheme.fromDigitPlaces() || scheme == Scheme.NOPE)) {
            throw new InvalidConfigException("{randomRange} applies to ape, sinusoidal, rope, alibi and t5, "
                    + "not " + scheme.cliName() + (scheme == Scheme.NOPE ? " (which has no positions)"
                    : " (use {maxOffset} for its random offsets)"));
        }
        if (scheme == Scheme.ROPE && (headSize % 2 != 0 || !(ropeBase > 1f))) {
            throw new InvalidConfigException("rope needs an even head size ({dim} / {heads}, got " + headSize
                    + ") and {ropeBase} above 1 (got " + ropeBase + ")");
        }
        if (scheme == Scheme.T5 && (buckets < 2 || maxDistance < buckets)) {
            throw new InvalidConfigException("t5 needs at least 2 {buckets} and {maxDistance} >= the bucket "
                    + "count (got " + buckets + " buckets, max distance " + maxDistance + ")");
        }
        if (longestSequence > 0) {
            if (randomRange > 0 && randomRange < longestSequence) {
                throw new InvalidConfigException("{randomRange} " + randomRange + " is shorter than the "
                        + "task's sequences (" + longestSequence + " tokens): give a range of at least "
                        + longestSequence);
            }
            int largest = largestId(longestSequence);
            if (scheme.learnsTable() && largest >= context) {
                throw new InvalidConfigException("{scheme} " + scheme.cliName() + " may use position id " + largest
                        + " but the position table has {context} " + context + " rows: raise {context} to at least "
                        + (largest + 1) + (scheme.fromDigitPlaces() ? " or lower {maxOffset}" : ""));
            }
        }
    }

    /** One line for logs: "coupling (max offset 30)". */
    public String describe() {
        StringBuilder s = new StringBuilder(scheme.cliName());
        if (scheme.fromDigitPlaces()) {
            s.append(" (max offset ").append(maxOffset).append(')');
        }
        if (scheme == Scheme.ROPE) {
            s.append(" (base ").append(ropeBase).append(')');
        }
        if (scheme == Scheme.T5) {
            s.append(" (").append(buckets).append(" buckets to distance ").append(maxDistance).append(')');
        }
        if (randomRange > 0) {
            s.append(" (randomized in [0, ").append(randomRange).append("))");
        }
        return s.toString();
    }
}

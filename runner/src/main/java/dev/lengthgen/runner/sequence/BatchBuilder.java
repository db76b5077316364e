package dev.lengthgen.runner.sequence;

import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.EncodedExample;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns problems into the model's (B, T) batches: input = tokens[0, L-1), target = tokens[1, L), the loss mask of
 * the targets, and each input token's position id under the model's scheme ({@link PositionIds}). Shorter sequences
 * are right-padded with &lt;pad&gt; and mask 0; under the causal mask padding after a sequence cannot change it.
 *
 * <p>Training batches draw their random parts (digit offsets, randomized positions, with random padding each
 * example's padding width) from a generator keyed by the run's seed and the batch number, so a resumed run draws the
 * same ones. The attention-bias schemes (alibi, t5) share one bias (NH, T, T) across the batch, so with randomized
 * positions they get one draw per batch, not per row.
 */
public final class BatchBuilder {
    private final Codec codec;
    private final int T;
    private final PositionIds positions;
    private final long seed;
    private final RandomPadding randomPadding;

    /** @param T positions per row: the longest encoded sequence minus one */
    public BatchBuilder(Codec codec, int T) {
        this(codec, T, PositionConfig.ape(), 0, RandomPadding.NONE);
    }

    /**
     * @param T             positions per row: the longest encoded sequence minus one
     * @param position      the model's position scheme
     * @param seed          the run's seed, for the training draws
     * @param randomPadding how training rows pad their examples (padded formats only); evaluation always pads to W
     */
    public BatchBuilder(Codec codec, int T, PositionConfig position, long seed, RandomPadding randomPadding) {
        if (randomPadding.on() && !codec.format().padded()) {
            throw new IllegalArgumentException("random padding needs a padded format");
        }
        this.codec = codec;
        this.T = T;
        this.positions = new PositionIds(position, codec.format());
        this.seed = seed;
        this.randomPadding = randomPadding;
    }

    public int T() {
        return T;
    }

    /** An evaluation batch: no random offsets, positions 0, 1, 2, ... for the sequence schemes. */
    public Batch build(List<Problem> problems) {
        return build(problems, null);
    }

    /** A training batch, with the random draws of batch number {@code draw}. */
    public Batch buildTraining(List<Problem> problems, long draw) {
        return build(problems, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + draw));
    }

    private Batch build(List<Problem> problems, SplittableRandom rng) {
        int B = problems.size();
        int n = B * T;
        int[] tokens = new int[n], targets = new int[n], ids = new int[n];
        float[] mask = new float[n];
        int pad = codec.vocabulary().pad();
        Arrays.fill(tokens, pad);
        Arrays.fill(targets, pad);
        int[] sharedIds = null;
        for (int b = 0; b < B; b++) {
            EncodedExample e = encode(problems.get(b), rng);
            int len = e.tokens().length - 1;
            if (len > T) {
                throw new IllegalArgumentException("an encoded example has " + (len + 1) + " tokens, more than the "
                        + (T + 1) + " this batch shape holds");
            }
            int[] rowIds;
            if (rng == null) {
                rowIds = positions.evaluation(e, T);
            } else if (positions.config().scheme().biasesAttention()) {
                rowIds = sharedIds != null ? sharedIds : (sharedIds = positions.training(e, T, rng));
            } else {
                rowIds = positions.training(e, T, rng);
            }
            System.arraycopy(rowIds, 0, ids, b * T, T);
            for (int t = 0; t < len; t++) {
                int i = b * T + t;
                tokens[i] = e.tokens()[t];
                targets[i] = e.tokens()[t + 1];
                mask[i] = e.lossMask()[t + 1];
            }
        }
        return new Batch(B, T, tokens, targets, mask, ids);
    }

    private EncodedExample encode(Problem p, SplittableRandom rng) {
        if (rng == null || !randomPadding.on()) {
            return codec.encode(p);
        }
        return codec.encode(p, (narrowest, widest) -> randomPadding.draw(narrowest, widest, rng));
    }
}

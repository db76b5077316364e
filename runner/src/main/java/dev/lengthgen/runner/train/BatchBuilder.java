package dev.lengthgen.runner.train;

import dev.lengthgen.model.train.Batch;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.EncodedExample;

import java.util.List;

/**
 * Turns problems into the model's (B, T) batches: input = tokens[0, L-1), target = tokens[1, L), the loss mask of
 * the targets, and position ids 0..L-2 (learned absolute positions). Shorter sequences are right-padded with
 * &lt;pad&gt; and mask 0; under the causal mask padding after a sequence cannot change it.
 */
public final class BatchBuilder {
    private final Codec codec;
    private final int T;

    /** @param T positions per row: the longest encoded sequence minus one */
    public BatchBuilder(Codec codec, int T) {
        this.codec = codec;
        this.T = T;
    }

    public int T() {
        return T;
    }

    public Batch build(List<Problem> problems) {
        int B = problems.size();
        int n = B * T;
        int[] tokens = new int[n], targets = new int[n], positions = new int[n];
        float[] mask = new float[n];
        int pad = codec.vocabulary().pad();
        java.util.Arrays.fill(tokens, pad);
        java.util.Arrays.fill(targets, pad);
        for (int b = 0; b < B; b++) {
            EncodedExample e = codec.encode(problems.get(b));
            int len = e.tokens().length - 1;
            if (len > T) {
                throw new IllegalArgumentException("an encoded example has " + (len + 1) + " tokens, more than the "
                        + (T + 1) + " this batch shape holds");
            }
            for (int t = 0; t < T; t++) {
                int i = b * T + t;
                positions[i] = t;
                if (t < len) {
                    tokens[i] = e.tokens()[t];
                    targets[i] = e.tokens()[t + 1];
                    mask[i] = e.lossMask()[t + 1];
                }
            }
        }
        return new Batch(B, T, tokens, targets, mask, positions);
    }
}

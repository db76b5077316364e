package dev.lengthgen.model;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.Batch;

import java.util.SplittableRandom;

/** Small configs and random batches shared by the model tests. */
final class TinyModels {
    private TinyModels() {
    }

    /** 2 layers, 3 heads, width 12, vocab 7, context 9: every code path, cheap enough for finite differences. */
    static GptConfig tiny(boolean bias, boolean tied, float dropout) {
        return new GptConfig(2, 3, 12, 9, 7, dropout, bias, tied);
    }

    /** A random batch with positions 0..T-1 and a mask over the second half of each row. */
    static Batch randomBatch(GptConfig c, int B, int T, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = B * T;
        int[] tokens = new int[n], targets = new int[n], positions = new int[n];
        float[] mask = new float[n];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                int i = b * T + t;
                tokens[i] = r.nextInt(c.vocab());
                targets[i] = r.nextInt(c.vocab());
                positions[i] = t;
                mask[i] = t >= T / 2 ? 1f : 0f;
            }
        }
        return new Batch(B, T, tokens, targets, mask, positions);
    }
}

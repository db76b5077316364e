package dev.lengthgen.model;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
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

    /** The tiny model (no bias, tied, no dropout) under a position scheme. */
    static GptConfig tiny(PositionConfig position) {
        return tiny(false, true, 0f).withPosition(position);
    }

    /**
     * Position ids a scheme may see: 0..T-1 for the sequence schemes; for the digit schemes ids as data gives them,
     * repeated (coupling shares one id among the digits of equal place) and not in sequence order, from [0, context).
     */
    static int[] positionIds(GptConfig c, int T, SplittableRandom r) {
        int[] ids = new int[T];
        for (int t = 0; t < T; t++) {
            ids[t] = c.position().scheme().fromDigitPlaces() ? r.nextInt(Math.min(4, c.context())) : t;
        }
        return ids;
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
        if (c.position().scheme().fromDigitPlaces()) {
            for (int b = 0; b < B; b++) {
                System.arraycopy(positionIds(c, T, r), 0, positions, b * T, T);
            }
        }
        return new Batch(B, T, tokens, targets, mask, positions);
    }
}

package dev.lengthgen.model.position;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;

import java.util.Arrays;

/**
 * The two relative schemes that add a bias to the attention scores, written as one mechanism: a per-head table
 * (NH, K) indexed by a bucket per (query, key) pair, bias[h, i, j] = table[h, bucket(pos_i - pos_j)].
 * <ul>
 *   <li>alibi (Press et al. 2022): bucket = the distance (clamped to K - 1), table[h, d] = -slope_h * d with fixed
 *       geometric slopes; the table is a constant.</li>
 *   <li>t5 (Raffel et al. 2020): buckets exact for small distances and log-spaced up to a maximum distance; the
 *       table is learned. Attention is causal, so only one direction (key before query) is bucketed.</li>
 * </ul>
 * Keys after the query are masked by the attention op, so their bucket (0) never matters.
 */
public final class AttentionBias {
    private AttentionBias() {
    }

    /** Buckets per head: t5's configured count; for alibi every distance a sequence can have. */
    public static int buckets(GptConfig c) {
        PositionConfig p = c.position();
        return p.scheme() == PositionConfig.Scheme.T5 ? p.buckets() : Math.max(c.context(), p.randomRange());
    }

    /** bucket[i * T + j] for the first T position ids, row-major (T, T); 0 above the diagonal. */
    public static int[] buckets(GptConfig c, int[] positions, int T) {
        return buckets(c, positions, T, new int[T * T]);
    }

    /** {@link #buckets(GptConfig, int[], int)} written into out[0 .. T*T); returns out. */
    public static int[] buckets(GptConfig c, int[] positions, int T, int[] out) {
        PositionConfig p = c.position();
        int K = buckets(c);
        Arrays.fill(out, 0, T * T, 0);
        for (int i = 0; i < T; i++) {
            for (int j = 0; j <= i; j++) {
                int distance = Math.max(0, positions[i] - positions[j]);
                out[i * T + j] = p.scheme() == PositionConfig.Scheme.T5
                        ? t5Bucket(distance, K, p.maxDistance()) : Math.min(distance, K - 1);
            }
        }
        return out;
    }

    /**
     * T5's bucket of a causal distance d >= 0: d itself below K/2, then log-spaced so that maxDistance lands on the
     * last bucket; farther distances share it.
     */
    static int t5Bucket(int d, int K, int maxDistance) {
        int exact = K / 2;
        if (d < exact) {
            return d;
        }
        double scaled = Math.log((double) d / exact) / Math.log((double) maxDistance / exact) * (K - exact);
        return Math.min(K - 1, exact + (int) scaled);
    }

    /** alibi's constant table (NH, K): -slope_h * d. */
    public static float[] alibiTable(int NH, int K) {
        double[] slopes = alibiSlopes(NH);
        float[] t = new float[NH * K];
        for (int h = 0; h < NH; h++) {
            for (int d = 0; d < K; d++) {
                t[h * K + d] = (float) (-slopes[h] * d);
            }
        }
        return t;
    }

    /**
     * Press et al.'s slopes: for NH a power of two, 2^(-8/NH), 2^(-16/NH), ...; otherwise the slopes of the
     * largest power of two n below NH, then every other slope of 2n for the remaining heads.
     */
    static double[] alibiSlopes(int NH) {
        int n = Integer.highestOneBit(NH);
        double[] s = new double[NH];
        for (int h = 0; h < n; h++) {
            s[h] = Math.pow(2, -8.0 * (h + 1) / n);
        }
        for (int h = n; h < NH; h++) {
            s[h] = Math.pow(2, -8.0 * (2 * (h - n) + 1) / (2 * n));
        }
        return s;
    }
}

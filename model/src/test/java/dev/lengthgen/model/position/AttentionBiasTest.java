package dev.lengthgen.model.position;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionBiasTest {

    @Test
    void alibiSlopesFollowPressEtAl() {
        // 8 heads: 1/2, 1/4, ..., 1/256. 6 heads: the 4-head slopes, then the odd ones of 8 heads.
        assertArrayEquals(new double[]{0.5, 0.25, 0.125, 0.0625, 1 / 32.0, 1 / 64.0, 1 / 128.0, 1 / 256.0},
                AttentionBias.alibiSlopes(8), 1e-12);
        assertArrayEquals(new double[]{0.25, 1 / 16.0, 1 / 64.0, 1 / 256.0, 0.5, 0.125},
                AttentionBias.alibiSlopes(6), 1e-12);
        float[] table = AttentionBias.alibiTable(2, 3); // slopes 1/16, 1/256
        assertArrayEquals(new float[]{0, -1 / 16f, -2 / 16f, 0, -1 / 256f, -2 / 256f}, table, 0f);
    }

    @Test
    void alibiBucketsAreDistancesOfThePositionIds() {
        GptConfig c = new GptConfig(1, 2, 8, 16, 5, 0f, false, true, PositionConfig.of(PositionConfig.Scheme.ALIBI));
        int[] b = AttentionBias.buckets(c, new int[]{0, 3, 4}, 3);
        assertArrayEquals(new int[]{0, 0, 0, 3, 0, 0, 4, 1, 0}, b);
    }

    @Test
    void t5BucketsAreExactThenLogSpacedAndSaturate() {
        int K = 8, max = 32;
        for (int d = 0; d < 4; d++) {
            assertEquals(d, AttentionBias.t5Bucket(d, K, max));
        }
        int previous = 3;
        for (int d = 4; d < 100; d++) {
            int bucket = AttentionBias.t5Bucket(d, K, max);
            assertTrue(bucket >= previous && bucket < K, "distance " + d + " -> " + bucket);
            previous = bucket;
        }
        assertEquals(K - 1, AttentionBias.t5Bucket(max, K, max));
        assertEquals(K - 1, AttentionBias.t5Bucket(1000, K, max));
    }
}

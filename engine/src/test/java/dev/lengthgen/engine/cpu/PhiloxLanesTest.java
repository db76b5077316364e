package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.random.Philox;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorized Philox draws exactly the scalar function's bits, including at 32-bit wrap-arounds of the key. */
class PhiloxLanesTest {

    @Test
    void sameBitsAsTheScalarGenerator() {
        DropoutKey[] keys = {DropoutKey.of(0, 0, 0), DropoutKey.of(20240717L, 7, 3),
                DropoutKey.of(-1L, (1L << 33) + 5, 9), DropoutKey.of(0x7FFFFFFFFFFFFFFFL, -1L, Integer.MAX_VALUE)};
        int count = 4 * 16384 + 13;
        int[] bits = new int[count];
        long[] lanes = new long[PhiloxLanes.LANES];
        for (DropoutKey key : keys) {
            for (int from : new int[]{0, 7, Integer.MAX_VALUE - count}) {
                PhiloxLanes.uniformBits(key, from, count, bits, lanes);
                for (int i = 0; i < count; i++) {
                    int want = Philox.first(from + i, key.tensor(), (int) key.step(), (int) (key.step() >>> 32),
                            (int) key.seed(), (int) (key.seed() >>> 32)) >>> 8;
                    assertEquals(want, bits[i], key + " index " + (from + i));
                }
            }
        }
    }
}

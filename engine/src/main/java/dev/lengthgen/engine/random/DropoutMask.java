package dev.lengthgen.engine.random;

import dev.lengthgen.engine.DropoutKey;

/**
 * The dropout mask as a pure function: element i of the tensor identified by key is kept iff a Philox uniform drawn
 * at counter (i, tensor, step lo, step hi) under key (seed lo, seed hi) is >= p.
 */
public final class DropoutMask {
    private DropoutMask() {
    }

    public static boolean keep(DropoutKey key, long index, float p) {
        if (p <= 0f) {
            return true;
        }
        int bits = Philox.first((int) index, key.tensor(), (int) key.step(), (int) (key.step() >>> 32),
                (int) key.seed(), (int) (key.seed() >>> 32));
        return Philox.uniform(bits) >= p;
    }
}

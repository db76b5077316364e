package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DropoutKey;

/**
 * Keep-masks of recent dropout forward passes, one bit per element, so that the backward pass with the same key
 * reuses them instead of drawing the Philox bits again (drawing is most of a dropout op's cost). A mask is a pure
 * function of (key, p, element index), so a cached mask is exact, never stale.
 *
 * <p>A fixed set of slots. A dropout site (seed and tensor) gets its own slot on its first forward pass and reuses
 * it at every later step, when its mask of the step before is no longer needed: after the first training step
 * nothing is allocated. Sites beyond the slot count take slots round robin. Keys are copied, never kept (a key
 * object may change its step; see {@link DropoutKey}).
 */
final class DropoutMaskCache {
    /** Dropout sites with a slot of their own (2 per layer + 1: 64 layers). */
    static final int SLOTS = 129;

    private final boolean[] used = new boolean[SLOTS];
    private final boolean[] valid = new boolean[SLOTS];
    private final long[] seeds = new long[SLOTS];
    private final long[] steps = new long[SLOTS];
    private final int[] tensors = new int[SLOTS];
    private final float[] ps = new float[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final long[][] words = new long[SLOTS][];
    private int next;

    /** The mask words of (key, p) covering at least n elements, or null. */
    synchronized long[] find(DropoutKey key, float p, int n) {
        long seed = key.seed(), step = key.step();
        int tensor = key.tensor();
        for (int s = 0; s < SLOTS; s++) {
            if (valid[s] && lengths[s] >= n && ps[s] == p && steps[s] == step && tensors[s] == tensor
                    && seeds[s] == seed) {
                return words[s];
            }
        }
        return null;
    }

    /** A slot for the mask of (key, p) over n elements; the caller fills the returned words (bit i = keep i). */
    synchronized long[] claim(DropoutKey key, float p, int n) {
        long seed = key.seed();
        int tensor = key.tensor();
        int s = siteSlot(seed, tensor);
        if (s < 0) {
            s = next;
            next = (next + 1) % SLOTS;
        }
        int need = (n + 63) >>> 6;
        if (words[s] == null || words[s].length < need) {
            words[s] = new long[need];
        }
        used[s] = true;
        valid[s] = true;
        seeds[s] = seed;
        steps[s] = key.step();
        tensors[s] = tensor;
        ps[s] = p;
        lengths[s] = n;
        return words[s];
    }

    /** The slot that last held a mask of this site (any step), or -1. */
    private int siteSlot(long seed, int tensor) {
        for (int s = 0; s < SLOTS; s++) {
            if (used[s] && tensors[s] == tensor && seeds[s] == seed) {
                return s;
            }
        }
        return -1;
    }

    /** Forgets a slot whose filling failed. */
    synchronized void forget(long[] slotWords) {
        for (int s = 0; s < SLOTS; s++) {
            if (words[s] == slotWords) {
                valid[s] = false;
            }
        }
    }
}

package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DropoutKey;

/**
 * Keep-masks of recent dropout forward passes, one bit per element, so that the backward pass with the same key
 * reuses them instead of drawing the Philox bits again (drawing is most of a dropout op's cost). A mask is a pure
 * function of (key, p, element index), so a cached mask is exact, never stale. A fixed set of slots reused round
 * robin: enough for every dropout site of a training step, and nothing is allocated once the slots have grown.
 */
final class DropoutMaskCache {
    /** Dropout sites one step can have before the oldest mask is replaced (2 per layer + 1: 64 layers). */
    static final int SLOTS = 129;

    private final DropoutKey[] keys = new DropoutKey[SLOTS];
    private final float[] ps = new float[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final long[][] words = new long[SLOTS][];
    private int next;

    /** The mask words of (key, p) covering at least n elements, or null. */
    synchronized long[] find(DropoutKey key, float p, int n) {
        for (int s = 0; s < SLOTS; s++) {
            if (keys[s] != null && lengths[s] >= n && ps[s] == p && keys[s].equals(key)) {
                return words[s];
            }
        }
        return null;
    }

    /** A slot for the mask of (key, p) over n elements; the caller fills the returned words (bit i = keep i). */
    synchronized long[] claim(DropoutKey key, float p, int n) {
        int s = next;
        next = (next + 1) % SLOTS;
        int need = (n + 63) >>> 6;
        if (words[s] == null || words[s].length < need) {
            words[s] = new long[need];
        }
        keys[s] = key;
        ps[s] = p;
        lengths[s] = n;
        return words[s];
    }

    /** Forgets a slot whose filling failed. */
    synchronized void forget(long[] slotWords) {
        for (int s = 0; s < SLOTS; s++) {
            if (words[s] == slotWords) {
                keys[s] = null;
            }
        }
    }
}

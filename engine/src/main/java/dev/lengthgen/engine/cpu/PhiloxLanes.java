package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.random.Philox;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Philox#first} for many consecutive counters at once, one counter per 64-bit lane: each 32-bit word lives
 * zero-extended in a long lane, so the 32 x 32 -&gt; 64-bit products Philox needs are plain lane multiplies. Of the
 * counter (index, tensor, step lo, step hi) only the index differs between lanes. Produces exactly the bits of the
 * scalar function (the dropout tests compare masks with it).
 */
final class PhiloxLanes {
    static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    static final int LANES = L.length();
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long LOW = 0xFFFFFFFFL;
    /**
     * 0, 1, .., LANES - 1: the lane offsets of the counters, loaded as a vector. (Not {@code addIndex}: JDK 17's JIT
     * does not intrinsify it for long lanes, and its Java fallback allocates on every call.)
     */
    private static final long[] IOTA = new long[LANES];

    static {
        for (int l = 0; l < LANES; l++) {
            IOTA[l] = l;
        }
    }

    private PhiloxLanes() {
    }

    /**
     * out[i] = Philox.first(from + i, tensor, step lo, step hi, seed lo, seed hi) &gt;&gt;&gt; 8 (the 24 bits a
     * uniform is made of) for i in [0, count).
     */
    static void uniformBits(DropoutKey key, int from, int count, int[] out, long[] lanes) {
        int c1 = key.tensor();
        int c2 = (int) key.step();
        int c3 = (int) (key.step() >>> 32);
        int k0 = (int) key.seed();
        int k1 = (int) (key.seed() >>> 32);
        LongVector iota = LongVector.fromArray(L, IOTA, 0);
        int i = 0;
        for (; i + LANES <= count; i += LANES) {
            LongVector x0 = LongVector.broadcast(L, from + i).add(iota).and(LOW);
            LongVector x1 = LongVector.broadcast(L, c1 & LOW);
            LongVector x2 = LongVector.broadcast(L, c2 & LOW);
            LongVector x3 = LongVector.broadcast(L, c3 & LOW);
            int r0 = k0, r1 = k1;
            for (int round = 0; round < 10; round++) {
                LongVector p0 = x0.mul(M0);
                LongVector p1 = x2.mul(M1);
                LongVector n0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x1)
                        .lanewise(VectorOperators.XOR, r0 & LOW);
                LongVector n1 = p1.and(LOW);
                LongVector n2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x3)
                        .lanewise(VectorOperators.XOR, r1 & LOW);
                LongVector n3 = p0.and(LOW);
                x0 = n0;
                x1 = n1;
                x2 = n2;
                x3 = n3;
                r0 += W0;
                r1 += W1;
            }
            x0.lanewise(VectorOperators.LSHR, 8).intoArray(lanes, 0);
            for (int l = 0; l < LANES; l++) {
                out[i + l] = (int) lanes[l];
            }
        }
        for (; i < count; i++) {
            out[i] = Philox.first(from + i, c1, c2, c3, k0, k1) >>> 8;
        }
    }
}

package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.DType;

import java.util.Arrays;
import java.util.Random;

/**
 * One tensor an op case uses: its name, type, length, what part it plays ({@link Role}) and how its initial contents
 * are drawn. Initial contents are generated on the host from the case seed and the tensor name, so every backend is
 * given identical fp32 inputs.
 */
public record TensorSpec(String name, DType type, int length, Role role, Fill fill) {

    /** What a tensor is to the op, which decides how it is initialised and whether it is compared. */
    public enum Role {
        /** Read by the op; drawn from its fill; not compared. */
        INPUT,
        /** Written by the forward op; starts as random garbage (so "written" is tested); compared after forward. */
        OUTPUT,
        /** Updated in place by the forward op (adamw state, a KV cache); drawn from its fill; compared after it. */
        INOUT,
        /**
         * Accumulated (+=) by the backward op; starts random in parity runs (so "+=" is tested) and zero in gradient
         * checks; compared after backward.
         */
        GRADIENT,
        /** Workspace the op overwrites; starts as garbage; never compared. */
        SCRATCH
    }

    /** Draws initial contents; a float fill writes {@code f}, an int fill writes {@code i} (the other is null). */
    @FunctionalInterface
    public interface Fill {
        void fill(Random rng, float[] f, int[] i);

        static Fill normal(double mean, double std) {
            return (rng, f, i) -> {
                for (int k = 0; k < f.length; k++) {
                    f[k] = (float) (mean + std * rng.nextGaussian());
                }
            };
        }

        static Fill constant(float value) {
            return (rng, f, i) -> Arrays.fill(f, value);
        }

        /** Uniform integers in [0, bound). */
        static Fill ints(int bound) {
            return (rng, f, i) -> {
                for (int k = 0; k < i.length; k++) {
                    i[k] = rng.nextInt(bound);
                }
            };
        }
    }

    public long seedFor(long caseSeed) {
        return caseSeed * 1_000_003L + name.hashCode();
    }
}

package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few transcendental functions the ops need, written with add, multiply and fused multiply-add only, each as a
 * vector function and a scalar twin that performs the same operations in the same order (so loop tails round exactly
 * like vector lanes).
 *
 * <p>Why not {@code lanewise(EXP)} and {@code reduceLanes(ADD)}: the JIT compiles them to SVML calls and a shuffle
 * tree, while interpreted and C1-compiled code runs Java fallbacks with other roundings and another summation
 * order, so the same op could give different bits before and after warm-up. IEEE add, multiply, divide, sqrt and
 * fma round identically everywhere, so everything here is deterministic.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LANES = S.length();

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float to an integer, left in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    private static final float EXP_MIN = -87.33654f;
    private static final float EXP_MAX = 88.72283f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private VectorMath() {
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(S, v);
    }

    /**
     * e^x (Cephes expf: x = n ln2 + r, |r| &lt;= ln2/2, degree-5 polynomial, times 2^n through the exponent bits);
     * within 2 ulp. Inputs are clamped to [-87.34, 88.72]: below, the result is ~1e-38 instead of 0.
     */
    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = x.fma(LOG2E, ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(bc(-LN2_HI), x);
        r = n.fma(bc(-LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, bc(P2));
        p = p.fma(r, bc(P3));
        p = p.fma(r, bc(P4));
        p = p.fma(r, bc(P5));
        FloatVector rr = r.mul(r);
        FloatVector y = p.fma(rr, r).add(1f);
        IntVector scale = t.reinterpretAsInts().sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return y.mul(scale.reinterpretAsFloats());
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations, the same bits. */
    static float exp(float x) {
        x = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float rr = r * r;
        float y = Math.fma(p, rr, r) + 1f;
        int scale = (Float.floatToRawIntBits(t) - (ROUNDER_BITS - 127)) << 23;
        return y * Float.intBitsToFloat(scale);
    }

    /**
     * Sum of the lanes in a fixed order: pairwise halving, as a tree over lane indices (lane i with lane i + L/2,
     * and so on). Written as lane rotations and vector adds, each an IEEE add of the same two lanes whether the JIT
     * has compiled it or not, so the bits are the same interpreted or compiled. The scratch array is not needed any
     * more; the parameter stays for the callers that pass one.
     */
    static float sumLanes(FloatVector v, float[] scratch) {
        return sumLanes(v);
    }

    /** {@link #sumLanes(FloatVector, float[])}: lane 0 of the tree v + rot(v, L/2), then L/4, ..., 1. */
    static float sumLanes(FloatVector v) {
        if (LANES >= 16) {
            v = v.add(v.rearrange(ROTATE_8));
        }
        if (LANES >= 8) {
            v = v.add(v.rearrange(ROTATE_4));
        }
        if (LANES >= 4) {
            v = v.add(v.rearrange(ROTATE_2));
        }
        if (LANES >= 2) {
            v = v.add(v.rearrange(ROTATE_1));
        }
        return v.lane(0);
    }

    /** The largest lane (exact in any order; the same rotation tree as {@link #sumLanes(FloatVector)}). */
    static float maxLanes(FloatVector v) {
        if (LANES >= 16) {
            v = v.max(v.rearrange(ROTATE_8));
        }
        if (LANES >= 8) {
            v = v.max(v.rearrange(ROTATE_4));
        }
        if (LANES >= 4) {
            v = v.max(v.rearrange(ROTATE_2));
        }
        if (LANES >= 2) {
            v = v.max(v.rearrange(ROTATE_1));
        }
        return v.lane(0);
    }

    private static final VectorShuffle<Float> ROTATE_8 = rotation(8);
    private static final VectorShuffle<Float> ROTATE_4 = rotation(4);
    private static final VectorShuffle<Float> ROTATE_2 = rotation(2);
    private static final VectorShuffle<Float> ROTATE_1 = rotation(1);

    /** Lane i takes lane (i + by) mod L (the identity where the vector is narrower than 2 * by: never used). */
    private static VectorShuffle<Float> rotation(int by) {
        return VectorShuffle.fromOp(S, i -> 2 * by <= LANES ? (i + by) % LANES : i);
    }

    private static final float GELU_K = 0.7978845608028654f; // sqrt(2/pi)
    private static final float GELU_C = 0.044715f;

    /**
     * GELU, tanh form: 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), computed as x * sigmoid(2u) =
     * x / (1 + e^(-2u)), which is the same function and needs one exp.
     */
    static FloatVector gelu(FloatVector x) {
        FloatVector u = x.mul(x).fma(GELU_C, 1f).mul(x).mul(GELU_K);
        FloatVector e = exp(u.mul(-2f));
        return x.div(e.add(1f));
    }

    static float gelu(float x) {
        float u = Math.fma(x * x, GELU_C, 1f) * x * GELU_K;
        float e = exp(u * -2f);
        return x / (e + 1f);
    }

    /**
     * GELU'(x): with s = sigmoid(2u) = 0.5 (1 + tanh u) and 1 - tanh^2 u = 4 s (1 - s),
     * d/dx = s + 2 x s (1 - s) u', u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2).
     */
    static FloatVector geluGrad(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector u = x2.fma(GELU_C, 1f).mul(x).mul(GELU_K);
        FloatVector s = exp(u.mul(-2f)).add(1f);
        s = FloatVector.broadcast(S, 1f).div(s);
        FloatVector du = x2.fma(3f * GELU_C, 1f).mul(GELU_K);
        FloatVector oneMinusS = FloatVector.broadcast(S, 1f).sub(s);
        return x.mul(2f).mul(s).mul(oneMinusS).fma(du, s);
    }

    static float geluGrad(float x) {
        float x2 = x * x;
        float u = Math.fma(x2, GELU_C, 1f) * x * GELU_K;
        float s = exp(u * -2f) + 1f;
        s = 1f / s;
        float du = Math.fma(x2, 3f * GELU_C, 1f) * GELU_K;
        float oneMinusS = 1f - s;
        return Math.fma(x * 2f * s * oneMinusS, du, s);
    }
}

package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.random.DropoutMask;
import dev.lengthgen.engine.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference ops' semantics where finite differences do not apply: greedy decoding against full attention,
 * argmax ties, AdamW against hand-computed updates, exact sums, the loss on a hand-computed example, dropout masks.
 */
class ReferenceOpsTest {
    private final ReferenceBackend ref = new ReferenceBackend();

    /** A view at offset 3 of a fresh allocation (ops must use the offset), holding the values. */
    private View f32(float... values) {
        Memory m = ref.allocate(DType.F32, values.length + 6, "test");
        View v = m.view(3, values.length);
        ref.upload(v, values);
        return v;
    }

    private View f32(int length) {
        return ref.allocate(DType.F32, length + 6, "test").view(3, length);
    }

    private View i32(int... values) {
        Memory m = ref.allocate(DType.I32, values.length + 6, "test");
        View v = m.view(3, values.length);
        ref.upload(v, values);
        return v;
    }

    private static double[] doubles(View v) {
        return OpGradientCheckTest.live(v);
    }

    private static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    /**
     * Prefill the cache with the first positions, then store and decode one token at a time: every decoded row
     * equals attentionForward's output row at that position, with and without the additive bias.
     */
    @ParameterizedTest(name = "bias {0}")
    @ValueSource(booleans = {false, true})
    void decodingWithKvCacheEqualsFullAttention(boolean withBias) {
        int B = 2, T = 35, C = 48, NH = 3, hs = C / NH, C3 = 3 * C, prefill = 20;
        Random rng = new Random(11);
        float[] qkv = random(rng, B * T * C3);
        View qkvAll = f32(qkv);
        View bias = withBias ? f32(random(rng, NH * T * T)) : null;
        View out = f32(B * T * C), preatt = f32(B * NH * T * T), att = f32(B * NH * T * T);
        ref.attentionForward(out, preatt, att, qkvAll, bias, B, T, C, NH);
        double[] full = doubles(out);

        View kcache = f32(B * NH * T * hs), vcache = f32(B * NH * T * hs), decoded = f32(B * C);
        float[] first = new float[B * prefill * C3];
        for (int b = 0; b < B; b++) {
            System.arraycopy(qkv, b * T * C3, first, b * prefill * C3, prefill * C3);
        }
        ref.kvCacheStore(kcache, vcache, f32(first), B, prefill, C, NH, T, 0);
        for (int pos = 0; pos < T; pos++) {
            float[] token = new float[B * C3];
            for (int b = 0; b < B; b++) {
                System.arraycopy(qkv, (b * T + pos) * C3, token, b * C3, C3);
            }
            View tokenQkv = f32(token);
            if (pos >= prefill) {
                ref.kvCacheStore(kcache, vcache, tokenQkv, B, 1, C, NH, T, pos);
            }
            ref.attentionDecode(decoded, tokenQkv, kcache, vcache, bias, B, C, NH, T, pos);
            double[] row = doubles(decoded);
            for (int b = 0; b < B; b++) {
                for (int c = 0; c < C; c++) {
                    double want = full[(b * T + pos) * C + c];
                    assertEquals(want, row[b * C + c], 1e-12, "b " + b + " pos " + pos + " channel " + c);
                }
            }
        }
    }

    @Test
    void argmaxTiesGoToTheSmallestIndex() {
        View logits = f32(
                1, 3, 3, 2, 0,
                2, 2, 2, 2, 2,
                -5, -4, -3, -2, -1,
                -1, 0.5f, -1, 0.50000006f, 0.50000006f);
        View out = i32(9, 9, 9, 9);
        ref.argmax(out, logits, 4, 5);
        int[] got = new int[4];
        ref.download(out, got);
        assertArrayEquals(new int[]{1, 0, 4, 3}, got);
    }

    /**
     * Three elements, step 2, lr 0.1, beta1 0.9, beta2 0.99, eps 1e-8, from m and v of a previous step; expected
     * values worked out separately (all inputs as their fp32 values, arithmetic in double). For example element 0
     * unclipped: m = 0.9 * 0.01 + 0.1 * 0.1 = 0.019, v = 0.99 * 0.001 + 0.01 * 0.01 = 0.00109, mhat = 0.019 / 0.19 =
     * 0.1, vhat = 0.00109 / 0.0199, param = 0.5 - 0.1 * 0.1 / sqrt(vhat) = 0.457272.
     */
    @ParameterizedTest(name = "case {0}")
    @ValueSource(ints = {0, 1, 2})
    void adamwMatchesHandComputedUpdate(int which) {
        float[] maxNorm = {1f, 1f, 0f};          // clipped (norm 10), unclipped (norm 0.2), clipping off
        float[] normSquared = {100f, 0.04f, 100f};
        float[] weightDecay = {0.1f, 0f, 0.1f};
        double[][] want = {
                {0.47141500594867447, 0.0099999997137354794, 0.0009910000554353485, -0.91575407101409867,
                        -0.0020000003066394574, 3.9999955045127705e-06, 2.0049716035102616,
                        -0.014999998586366498, 0.001989000103450629},
                {0.45727195444389584, 0.019000002093613189, 0.0010899999641720182, -0.92575402418057373,
                        -0.020000005066394877, 0.00039999963045119109, 1.9833980915384586,
                        0.012000009223819053, 0.0028799993263370631},
                {0.4522719542948842, 0.019000002093613189, 0.0010899999641720182, -0.91575402388255045,
                        -0.020000005066394877, 0.00039999963045119109, 1.963398090942412,
                        0.012000009223819053, 0.0028799993263370631}};
        View params = f32(0.5f, -1f, 2f), grads = f32(0.1f, -0.2f, 0.3f);
        View m = f32(0.01f, 0f, -0.02f), v = f32(0.001f, 0f, 0.002f);
        ref.adamw(params, grads, m, v, f32(normSquared[which]), maxNorm[which], 0.1f, 0.9f, 0.99f, 1e-8f,
                weightDecay[which], 2, 3);
        double[] p = doubles(params), mm = doubles(m), vv = doubles(v);
        for (int i = 0; i < 3; i++) {
            assertEquals(want[which][3 * i], p[i], 1e-12, "param " + i);
            assertEquals(want[which][3 * i + 1], mm[i], 1e-12, "m " + i);
            assertEquals(want[which][3 * i + 2], vv[i], 1e-12, "v " + i);
        }
        assertArrayEquals(new double[]{0.1f, -0.2f, 0.3f}, doubles(grads), "grads are left as they were");
    }

    @Test
    void sumsAreExact() {
        View inp = f32(1f, 2f, 3.5f, -0.25f, 0.125f);
        View out = f32(1);
        ref.sum(out, inp, 5);
        assertEquals(6.375, doubles(out)[0], 0.0);
        ref.sumOfSquares(out, inp, 5);
        assertEquals(17.328125, doubles(out)[0], 0.0);
        ref.sum(out, inp.slice(1, 3), 3);
        assertEquals(5.25, doubles(out)[0], 0.0);
    }

    /**
     * Rows: uniform logits (loss ln 3), a masked row (0 loss and gradient whatever its target), and a row with mask
     * weight 0.5 and probabilities ~1/8, 2/8, 5/8 (logits ln 2 and ln 5 as their fp32 values).
     */
    @Test
    void crossEntropyOnHandComputedRows() {
        float scale = 0.25f;
        View logits = f32(0, 0, 0, 9, -3, 1, 0, (float) Math.log(2), (float) Math.log(5));
        View targets = i32(1, 0, 2);
        View mask = f32(1, 0, 0.5f);
        View losses = f32(3), dlogits = f32(9);
        ref.crossEntropyForward(losses, dlogits, logits, targets, mask, scale, 3, 3);
        double l2 = (float) Math.log(2), l5 = (float) Math.log(5), norm = 1 + Math.exp(l2) + Math.exp(l5);
        assertArrayEquals(new double[]{Math.log(3), 0, 0.5 * (Math.log(norm) - l5)}, doubles(losses), 1e-12);
        double[] want = {
                scale * (1 / 3.0), scale * (1 / 3.0 - 1), scale * (1 / 3.0),
                0, 0, 0,
                scale * 0.5 / norm, scale * 0.5 * Math.exp(l2) / norm, scale * 0.5 * (Math.exp(l5) / norm - 1)};
        assertArrayEquals(want, doubles(dlogits), 1e-12);
        View evalLosses = f32(3);
        ref.crossEntropyForward(evalLosses, null, logits, targets, mask, scale, 3, 3);
        assertArrayEquals(doubles(losses), doubles(evalLosses), 0.0, "evaluation (no dlogits) gives the same losses");
    }

    @Test
    void dropoutMasksAreAFunctionOfTheKey() {
        int n = 100_000;
        float p = 0.2f;
        DropoutKey key = new DropoutKey(42, 1000, 2);
        DropoutKey[] others = {new DropoutKey(43, 1000, 2), new DropoutKey(42, 1001, 2), new DropoutKey(42, 1000, 3),
                new DropoutKey(42 + (1L << 32), 1000, 2), new DropoutKey(42, 1000 + (1L << 32), 2)};
        int kept = 0;
        int[] differs = new int[others.length];
        for (int i = 0; i < n; i++) {
            boolean k = DropoutMask.keep(key, i, p);
            assertEquals(k, DropoutMask.keep(key, i, p), "the same key gives the same mask");
            assertTrue(DropoutMask.keep(key, i, 0f), "p = 0 keeps everything");
            kept += k ? 1 : 0;
            for (int o = 0; o < others.length; o++) {
                differs[o] += k != DropoutMask.keep(others[o], i, p) ? 1 : 0;
            }
        }
        // kept ~ Binomial(n, 0.8): standard deviation 126 elements, so 1% of n is ~8 sigma
        assertEquals(1 - p, kept / (double) n, 0.01, "fraction kept");
        for (int o = 0; o < others.length; o++) {
            // independent masks disagree on 2 p (1 - p) = 32% of elements
            assertEquals(2 * p * (1 - p), differs[o] / (double) n, 0.01, "masks of " + key + " and " + others[o]);
        }
    }

    @Test
    void dropoutOpAppliesTheMaskDeterministically() {
        int n = 1000;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        View inp = f32(ones), a = f32(n), b = f32(n);
        DropoutKey key = new DropoutKey(7, 3, 1);
        ref.dropoutForward(a, inp, 0.5f, key, n);
        ref.dropoutForward(b, inp, 0.5f, key, n);
        assertArrayEquals(doubles(a), doubles(b), 0.0);
        double[] got = doubles(a);
        for (int i = 0; i < n; i++) {
            assertEquals(DropoutMask.keep(key, i, 0.5f) ? 2.0 : 0.0, got[i], 0.0, "element " + i);
        }
        ref.dropoutForward(b, inp, 0.5f, new DropoutKey(7, 4, 1), n);
        assertNotEquals(java.util.Arrays.toString(doubles(a)), java.util.Arrays.toString(doubles(b)));
    }
}

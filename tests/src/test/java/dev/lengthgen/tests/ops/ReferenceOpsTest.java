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

import java.util.Arrays;
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
    /** Stores in double: the expected values below are double arithmetic on fp32 inputs, exact to ~1e-12. */
    private final ReferenceBackend ref = ReferenceBackend.forGradientChecks();

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
        DropoutKey key = DropoutKey.of(42, 1000, 2);
        DropoutKey[] others = {DropoutKey.of(43, 1000, 2), DropoutKey.of(42, 1001, 2), DropoutKey.of(42, 1000, 3),
                DropoutKey.of(42 + (1L << 32), 1000, 2), DropoutKey.of(42, 1000 + (1L << 32), 2)};
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
        Arrays.fill(ones, 1f);
        View inp = f32(ones), a = f32(n), b = f32(n);
        DropoutKey key = DropoutKey.of(7, 3, 1);
        ref.dropoutForward(a, inp, 0.5f, key, n);
        ref.dropoutForward(b, inp, 0.5f, key, n);
        assertArrayEquals(doubles(a), doubles(b), 0.0);
        double[] got = doubles(a);
        for (int i = 0; i < n; i++) {
            assertEquals(DropoutMask.keep(key, i, 0.5f) ? 2.0 : 0.0, got[i], 0.0, "element " + i);
        }
        ref.dropoutForward(b, inp, 0.5f, DropoutKey.of(7, 4, 1), n);
        assertNotEquals(Arrays.toString(doubles(a)), Arrays.toString(doubles(b)));
    }

    // ---- relative position schemes ----

    /**
     * The pairing convention: interleaved pairs (2i, 2i+1) of each head, pair i turned by pos * base^(-2i/hs).
     * One head of size 4 at position 1, base 10000: pair 0 turns by 1 radian, pair 1 by 10000^(-1/2) = 0.01.
     */
    @Test
    void rotaryTurnsInterleavedPairsByPositionTimesFrequency() {
        View qkv = f32(1, 0, 0, 1, /* k */ 0, 2, 3, 0, /* v */ 5, 6, 7, 8);
        View out = f32(new float[12]);
        ref.rotaryForward(out, qkv, i32(1), 10000f, 1, 1, 4, 1);
        double c1 = Math.cos(1), s1 = Math.sin(1), c2 = Math.cos(0.01), s2 = Math.sin(0.01);
        assertArrayEquals(new double[]{c1, s1, -s2, c2, -2 * s1, 2 * c1, 3 * c2, 3 * s2, 5, 6, 7, 8}, doubles(out),
                1e-12);
    }

    private static int[] positions(Random rng, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = rng.nextBoolean() ? rng.nextInt(200) : rng.nextInt(1 << 20);
        }
        return p;
    }

    /** Rotating by p and then by -p, or applying the backward pass (the transpose), gives back the input. */
    @Test
    void rotaryIsUndoneByNegatedPositionsAndByItsTranspose() {
        int B = 2, T = 7, C = 48, NH = 3, N = B * T;
        Random rng = new Random(5);
        float[] x = random(rng, N * 3 * C);
        int[] p = positions(rng, N);
        int[] minus = new int[N];
        for (int n = 0; n < N; n++) {
            minus[n] = -p[n];
        }
        View qkv = f32(x), rotated = f32(new float[N * 3 * C]), back = f32(new float[N * 3 * C]);
        ref.rotaryForward(rotated, qkv, i32(p), 10000f, B, T, C, NH);
        double[] r = doubles(rotated);
        double moved = 0;
        for (int k = 0; k < x.length; k++) {
            moved = Math.max(moved, Math.abs(r[k] - x[k]));
        }
        assertTrue(moved > 0.1, "the rotation moves q and k");
        ref.rotaryForward(back, rotated, i32(minus), 10000f, B, T, C, NH);
        View transposed = f32(new float[N * 3 * C]);
        ref.rotaryBackward(transposed, rotated, i32(p), 10000f, B, T, C, NH);
        double[] b1 = doubles(back), b2 = doubles(transposed);
        for (int k = 0; k < x.length; k++) {
            assertEquals(x[k], b1[k], 1e-12, "rotated by p then -p, element " + k);
            assertEquals(x[k], b2[k], 1e-12, "rotated by p then by the transpose, element " + k);
        }
    }

    /**
     * The point of rotary embeddings: q(p + s) . k(p' + s) = q(p) . k(p') for every head, pair of tokens and shift s,
     * so attention scores see only relative positions.
     */
    @ParameterizedTest(name = "shift {0}")
    @ValueSource(ints = {1, 37, 123457, -50})
    void rotaryScoresDependOnRelativePositionOnly(int shift) {
        int T = 9, C = 48, NH = 3, hs = C / NH, C3 = 3 * C;
        Random rng = new Random(17);
        float[] x = random(rng, T * C3);
        int[] p = positions(rng, T), shifted = new int[T];
        for (int t = 0; t < T; t++) {
            p[t] = Math.min(p[t], 1 << 19);   // p + shift stays below 2^20
            shifted[t] = p[t] + shift;
        }
        View qkv = f32(x), a = f32(new float[T * C3]), b = f32(new float[T * C3]);
        ref.rotaryForward(a, qkv, i32(p), 10000f, 1, T, C, NH);
        ref.rotaryForward(b, qkv, i32(shifted), 10000f, 1, T, C, NH);
        double[] ra = doubles(a), rb = doubles(b);
        for (int h = 0; h < NH; h++) {
            for (int t = 0; t < T; t++) {
                for (int t2 = 0; t2 < T; t2++) {
                    double da = 0, db = 0, plain = 0;
                    for (int i = 0; i < hs; i++) {
                        int q = t * C3 + h * hs + i, k = t2 * C3 + C + h * hs + i;
                        da += ra[q] * ra[k];
                        db += rb[q] * rb[k];
                        plain += (double) x[q] * x[k];
                    }
                    assertEquals(da, db, 1e-9, "head " + h + " q at " + p[t] + " . k at " + p[t2]);
                    if (t == t2) {
                        assertEquals(plain, da, 1e-9, "the same position: the rotation cancels");
                    }
                }
            }
        }
    }

    /** Layout (NH,T,T), causal, buckets above the diagonal ignored; the backward pass sums per bucket. */
    @Test
    void bucketBiasLooksUpTheTableAndSumsGradientsPerBucket() {
        int NH = 2, T = 3, K = 3;
        View table = f32(10, 11, 12, 20, 21, 22);
        View buckets = i32(
                0, -1, 99,
                1, 0, 7,
                2, 1, 0);
        View bias = f32(new float[NH * T * T]);
        ref.bucketBiasForward(bias, table, buckets, NH, T, K);
        assertArrayEquals(new double[]{
                10, 0, 0, 11, 10, 0, 12, 11, 10,
                20, 0, 0, 21, 20, 0, 22, 21, 20}, doubles(bias), 0.0);
        float[] g = new float[NH * T * T];
        for (int k = 0; k < g.length; k++) {
            g[k] = 1 << k;   // each entry its own bit, so the sums show which entries went where
        }
        View dtable = f32(0.5f, 0, 0, 0, 0, 0);
        ref.bucketBiasBackward(dtable, f32(g), buckets, NH, T, K);
        // head 0: bucket 0 <- entries (0,0), (1,1), (2,2) = 1 + 16 + 256; bucket 1 <- (1,0), (2,1) = 8 + 128;
        // bucket 2 <- (2,0) = 64. Head 1: the same entries shifted by 9 bits.
        assertArrayEquals(new double[]{0.5 + 273, 136, 64, 273 << 9, 136 << 9, 64 << 9}, doubles(dtable), 0.0);
    }
}

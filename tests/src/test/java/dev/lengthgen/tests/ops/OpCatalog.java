package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.tests.ops.TensorSpec.Fill;

import java.util.ArrayList;
import java.util.List;

/**
 * Every op of {@link dev.lengthgen.engine.Ops} as test cases, at {@link Shape#SMALL} and {@link Shape#LARGE} (and
 * attention at {@link Shape#WIDE_HEADS}): the one catalog behind both the gradient checks and the backend parity test.
 *
 * <p>Input scales are those of a real model (weights ~0.1, upstream gradients ~0.1) so that fp32 rounding stays
 * well below the tolerances, which are |got - want| <= abs + rel |want|:
 * <ul>
 *   <li>rel 1e-4 / abs 1e-5: ops that reduce (matmul, layernorm, attention, attention decode, cross-entropy, the
 *   bucket bias's table gradient);</li>
 *   <li>rel 1e-5 / abs 1e-6: one or a few roundings per element (encoder, rotary, residual, dropout, GELU,
 *   AdamW);</li>
 *   <li>rel 1e-4 / abs 1e-3: sum (10^4 - 10^5 signed terms cancel to ~10^2, so the error scales with the terms);</li>
 *   <li>exact: data movement and integer results (copy, zero, kvCacheStore, argmax, the bucket bias itself).</li>
 * </ul>
 */
public final class OpCatalog {
    static final Tolerance REDUCTION = new Tolerance(1e-4, 1e-5);
    static final Tolerance ELEMENTWISE = new Tolerance(1e-5, 1e-6);
    static final Tolerance SUM = new Tolerance(1e-4, 1e-3);

    static final DropoutKey DROPOUT_KEY = DropoutKey.of(20240717L, 7, 3);

    private OpCatalog() {
    }

    /** Every case at both shapes. */
    public static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        cases.addAll(at(Shape.SMALL));
        cases.addAll(at(Shape.LARGE));
        // heads too wide for the cpu backend's row-block attention take its GEMM path; heads narrower than a vector
        // take the row-block path through padded copies
        for (Shape s : List.of(Shape.WIDE_HEADS, Shape.NARROW_HEADS)) {
            cases.add(attention(s, false));
            cases.add(attention(s, true));
        }
        return cases;
    }

    /**
     * The cases selected by the system property {@code lengthgen.ops} (a comma-separated list of op families or case
     * ids, e.g. {@code -Dlengthgen.ops=matmul,attention}), or all of them when it is unset.
     */
    public static List<OpCase> selected(List<OpCase> cases) {
        String filter = System.getProperty("lengthgen.ops", "").trim();
        if (filter.isEmpty()) {
            return cases;
        }
        List<String> wanted = List.of(filter.split("\\s*,\\s*"));
        List<OpCase> out = new ArrayList<>();
        for (OpCase c : cases) {
            if (wanted.contains(c.op()) || wanted.contains(c.id())) {
                out.add(c);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("lengthgen.ops=" + filter + " selects no op case; ops are "
                    + cases.stream().map(OpCase::op).distinct().toList());
        }
        return out;
    }

    /** Every case at one shape, grouped by op family in the order of Ops. */
    public static List<OpCase> at(Shape s) {
        List<OpCase> c = new ArrayList<>();
        c.add(encoder(s, true));
        c.add(encoder(s, false));
        c.add(layernorm(s, true));
        c.add(layernorm(s, false));
        c.add(matmul(s, "bias", s.C(), 3 * s.C(), true));
        c.add(matmul(s, "fc-proj", 4 * s.C(), s.C(), false));
        c.add(matmul(s, "lm-head", s.C(), s.V(), false));
        c.add(attention(s, false));
        c.add(attention(s, true));
        c.add(rotary(s, "prefill", s.T(), false));
        c.add(rotary(s, "in-place", s.T(), true));
        c.add(rotary(s, "one-token", 1, false));
        c.add(bucketBias(s, "t5", 16));
        c.add(bucketBias(s, "alibi", s.T()));
        c.add(gelu(s));
        c.add(residual(s));
        c.add(gatherRows(s, "some", 3));
        c.add(gatherRows(s, "all", 1));
        c.add(dropout(s, 0.2f));
        c.add(dropout(s, 0f));
        c.add(crossEntropy(s, true));
        c.add(crossEntropy(s, false));
        c.add(sum(s, false));
        c.add(sum(s, true));
        c.add(adamw(s, "clipped+decay", 1f, 25f, 0.1f, 3));
        c.add(adamw(s, "unclipped", 1f, 0.25f, 0f, 1));
        c.add(adamw(s, "no-clip+decay", 0f, 25f, 0.1f, 10));
        c.add(kvCacheStore(s, "prefill", s.T(), s.T() + 6, 4));
        c.add(kvCacheStore(s, "one-token", 1, s.T(), s.T() - 1));
        c.add(attentionDecode(s, "mid", s.T() - 8, false));
        c.add(attentionDecode(s, "first+bias", 0, true));
        c.add(attentionDecode(s, "last+bias", s.T() - 1, true));
        c.add(argmax(s));
        c.add(copy(s, false));
        c.add(copy(s, true));
        c.add(zero(s, false));
        c.add(zero(s, true));
        return c;
    }

    // encoder: out (N,C) = wte[tokens] (V,C) + wpe[posIds] (P,C); position ids arbitrary in [0, P), P = T + 3
    static OpCase encoder(Shape s, boolean withWpe) {
        int N = s.N(), C = s.C(), P = s.T() + 3;
        OpCase.Builder b = OpCase.builder("encoder", withWpe ? "wpe" : "no-wpe", s)
                .intInput("tokens", N, Fill.ints(s.V()))
                .intInput("posIds", N, Fill.ints(P))
                .input("wte", (long) s.V() * C, Fill.normal(0, 0.1))
                .input("wpe", (long) P * C, Fill.normal(0, 0.1))
                .output("out", (long) N * C)
                .input("dout", (long) N * C, Fill.normal(0, 0.1))
                .gradient("dwte", (long) s.V() * C)
                .gradient("dwpe", (long) P * C)
                .forward((ops, t) -> ops.encoderForward(t.v("out"), t.v("tokens"), t.v("posIds"), t.v("wte"),
                        withWpe ? t.v("wpe") : null, N, C))
                .backward((ops, t) -> ops.encoderBackward(t.v("dwte"), withWpe ? t.v("dwpe") : null, t.v("dout"),
                        t.v("tokens"), t.v("posIds"), N, C))
                .tolerance(ELEMENTWISE)
                .differentiates("out", "dout", "wte", "dwte");
        if (withWpe) {
            b.differentiates("out", "dout", "wpe", "dwpe");
        }
        return b.build();
    }

    // layernorm: out (N,C), mean (N), rstd (N) from inp (N,C), weight (C), bias (C) or null
    static OpCase layernorm(Shape s, boolean withBias) {
        int N = s.N(), C = s.C();
        OpCase.Builder b = OpCase.builder("layernorm", withBias ? "bias" : "no-bias", s)
                .input("inp", (long) N * C, Fill.normal(0.3, 1.5))
                .input("weight", C, Fill.normal(1, 0.1))
                .input("bias", C, Fill.normal(0, 0.1))
                .output("out", (long) N * C)
                .output("mean", N)
                .output("rstd", N)
                .input("dout", (long) N * C, Fill.normal(0, 0.1))
                .gradient("dinp", (long) N * C)
                .gradient("dweight", C)
                .gradient("dbias", C)
                .forward((ops, t) -> ops.layernormForward(t.v("out"), t.v("mean"), t.v("rstd"), t.v("inp"),
                        t.v("weight"), withBias ? t.v("bias") : null, N, C))
                .backward((ops, t) -> ops.layernormBackward(t.v("dinp"), t.v("dweight"),
                        withBias ? t.v("dbias") : null, t.v("dout"), t.v("inp"), t.v("weight"), t.v("mean"),
                        t.v("rstd"), N, C))
                .tolerance(REDUCTION)
                .differentiates("out", "dout", "inp", "dinp")
                .differentiates("out", "dout", "weight", "dweight");
        if (withBias) {
            b.differentiates("out", "dout", "bias", "dbias");
        }
        return b.build();
    }

    // matmul: out (N,OC) = inp (N,IC) . weight (OC,IC)^T + bias (OC) or null
    static OpCase matmul(Shape s, String variant, int IC, int OC, boolean withBias) {
        int N = s.N();
        OpCase.Builder b = OpCase.builder("matmul", variant, s)
                .input("inp", (long) N * IC, Fill.normal(0, 1))
                .input("weight", (long) OC * IC, Fill.normal(0, 0.1))
                .input("bias", OC, Fill.normal(0, 0.1))
                .output("out", (long) N * OC)
                .input("dout", (long) N * OC, Fill.normal(0, 0.1))
                .gradient("dinp", (long) N * IC)
                .gradient("dweight", (long) OC * IC)
                .gradient("dbias", OC)
                .forward((ops, t) -> ops.matmulForward(t.v("out"), t.v("inp"), t.v("weight"),
                        withBias ? t.v("bias") : null, N, IC, OC))
                .backward((ops, t) -> ops.matmulBackward(t.v("dinp"), t.v("dweight"),
                        withBias ? t.v("dbias") : null, t.v("dout"), t.v("inp"), t.v("weight"), N, IC, OC))
                .tolerance(REDUCTION)
                .differentiates("out", "dout", "inp", "dinp")
                .differentiates("out", "dout", "weight", "dweight");
        if (withBias) {
            b.differentiates("out", "dout", "bias", "dbias");
        }
        return b.build();
    }

    // attention: out (B,T,C), preatt, att (B,NH,T,T) from qkv (B,T,3C) and bias (NH,T,T) or null
    static OpCase attention(Shape s, boolean withBias) {
        int B = s.B(), T = s.T(), C = s.C(), NH = s.NH();
        long attLen = (long) B * NH * T * T;
        OpCase.Builder b = OpCase.builder("attention", withBias ? "bias" : "no-bias", s)
                .input("qkv", (long) B * T * 3 * C, Fill.normal(0, 1))
                .input("bias", (long) NH * T * T, Fill.normal(0, 0.5))
                .output("out", (long) B * T * C)
                .output("preatt", attLen)
                .output("att", attLen)
                .input("dout", (long) B * T * C, Fill.normal(0, 0.1))
                .gradient("dqkv", (long) B * T * 3 * C)
                .gradient("dbias", (long) NH * T * T)
                .scratch("dpreatt", attLen)
                .scratch("datt", attLen)
                .forward((ops, t) -> ops.attentionForward(t.v("out"), t.v("preatt"), t.v("att"), t.v("qkv"),
                        withBias ? t.v("bias") : null, B, T, C, NH))
                .backward((ops, t) -> ops.attentionBackward(t.v("dqkv"), t.v("dpreatt"), t.v("datt"),
                        withBias ? t.v("dbias") : null, t.v("dout"), t.v("qkv"), t.v("att"), B, T, C, NH))
                .tolerance(REDUCTION)
                .differentiates("out", "dout", "qkv", "dqkv");
        if (withBias) {
            b.differentiates("out", "dout", "bias", "dbias");
        }
        return b.build();
    }

    /** Rotary base of the catalog cases (RoFormer's and LLaMA's). */
    static final float ROTARY_BASE = 10000f;

    /**
     * Position ids for rotary cases: most below 4T, one in four anywhere below 2^20, where the angle of the fastest
     * pair is ~10^6 radians (so float range reduction is tested), and a few negative (a rotation undone).
     */
    static Fill rotaryPositions(int T) {
        return (rng, f, i) -> {
            for (int k = 0; k < i.length; k++) {
                int kind = rng.nextInt(16);
                i[k] = kind < 11 ? rng.nextInt(4 * T) : kind < 15 ? rng.nextInt(1 << 20) : -rng.nextInt(4 * T);
            }
        };
    }

    // rotary: out (B,T,3C) = rotated q, k and copied v of qkv (B,T,3C) by posIds I32 (B*T); base 10000.
    // "in-place" rotates qkv itself (out = qkv); "one-token" is the decoding step (T = 1).
    static OpCase rotary(Shape s, String variant, int T, boolean inPlace) {
        int B = s.B(), C = s.C(), NH = s.NH(), N = B * T;
        long len = (long) N * 3 * C;
        OpCase.Builder b = OpCase.builder("rotary", variant, s)
                .intInput("posIds", N, rotaryPositions(s.T()));
        if (inPlace) {
            b.inout("qkv", len, Fill.normal(0, 1))
                    .forward((ops, t) -> ops.rotaryForward(t.v("qkv"), t.v("qkv"), t.v("posIds"), ROTARY_BASE, B, T,
                            C, NH));
        } else {
            b.input("qkv", len, Fill.normal(0, 1))
                    .output("out", len)
                    .forward((ops, t) -> ops.rotaryForward(t.v("out"), t.v("qkv"), t.v("posIds"), ROTARY_BASE, B, T,
                            C, NH));
        }
        b.input("dout", len, Fill.normal(0, 0.1))
                .gradient("dqkv", len)
                .backward((ops, t) -> ops.rotaryBackward(t.v("dqkv"), t.v("dout"), t.v("posIds"), ROTARY_BASE, B, T,
                        C, NH))
                // one rounding of cos and sin (a few ulps on a device) and two of the products: ~4e-7 at |x| ~ 4
                .tolerance(ELEMENTWISE);
        if (!inPlace) {
            b.differentiates("out", "dout", "qkv", "dqkv");
        }
        return b.build();
    }

    // bucketBias: bias (NH,T,T) = table[h, buckets[i*T + j]] (NH,K) for j <= i, 0 above; buckets I32 (T*T).
    // "t5": random buckets in [0, K) everywhere. "alibi": K = T, bucket = distance i - j, and out-of-range ids
    // above the diagonal, which must be ignored.
    static OpCase bucketBias(Shape s, String variant, int K) {
        int NH = s.NH(), T = s.T();
        boolean distances = variant.equals("alibi");
        return OpCase.builder("bucketBias", variant, s)
                .input("table", (long) NH * K, Fill.normal(0, 0.5))
                .intInput("buckets", (long) T * T, distances
                        ? (rng, f, i) -> {
                            for (int k = 0; k < i.length; k++) {
                                int q = k / T, key = k % T;
                                i[k] = key <= q ? q - key : -1 - rng.nextInt(1000);
                            }
                        }
                        : Fill.ints(K))
                .output("bias", (long) NH * T * T)
                .input("dbias", (long) NH * T * T, Fill.normal(0, 0.1))
                .gradient("dtable", (long) NH * K)
                .forward((ops, t) -> ops.bucketBiasForward(t.v("bias"), t.v("table"), t.v("buckets"), NH, T, K))
                .backward((ops, t) -> ops.bucketBiasBackward(t.v("dtable"), t.v("dbias"), t.v("buckets"), NH, T, K))
                // the forward pass moves data; the backward pass sums up to T(T+1)/2 terms per table entry
                .tolerance("bias", Tolerance.EXACT)
                .tolerance(REDUCTION)
                .differentiates("bias", "dbias", "table", "dtable")
                .build();
    }

    // gelu: out (N) = GELU(inp), tanh form; inputs wide enough to reach both tails
    static OpCase gelu(Shape s) {
        int N = s.N() * 4 * s.C();
        return OpCase.builder("gelu", "", s)
                .input("inp", N, Fill.normal(0, 2))
                .output("out", N)
                .input("dout", N, Fill.normal(0, 0.1))
                .gradient("dinp", N)
                .forward((ops, t) -> ops.geluForward(t.v("out"), t.v("inp"), N))
                .backward((ops, t) -> ops.geluBackward(t.v("dinp"), t.v("inp"), t.v("dout"), N))
                .tolerance(ELEMENTWISE)
                .differentiates("out", "dout", "inp", "dinp")
                .build();
    }

    // residual: out (N) = a + b
    static OpCase residual(Shape s) {
        int N = s.N() * s.C();
        return OpCase.builder("residual", "", s)
                .input("a", N, Fill.normal(0, 1))
                .input("b", N, Fill.normal(0, 1))
                .output("out", N)
                .input("dout", N, Fill.normal(0, 0.1))
                .gradient("da", N)
                .gradient("db", N)
                .forward((ops, t) -> ops.residualForward(t.v("out"), t.v("a"), t.v("b"), N))
                .backward((ops, t) -> ops.residualBackward(t.v("da"), t.v("db"), t.v("dout"), N))
                .tolerance(ELEMENTWISE)
                .differentiates("out", "dout", "a", "da")
                .differentiates("out", "dout", "b", "db")
                .build();
    }

    // gatherRows: out (M,C) = inp (N,C) rows rows[m]; rows strictly increasing: every step-th row from an offset
    static OpCase gatherRows(Shape s, String variant, int step) {
        int N = s.N(), C = s.C();
        int first = step > 1 ? 1 : 0;
        int M = (N - first + step - 1) / step;
        return OpCase.builder("gatherRows", variant, s)
                .input("inp", (long) N * C, Fill.normal(0, 1))
                .intInput("rows", M, (rng, f, i) -> {
                    for (int m = 0; m < i.length; m++) {
                        i[m] = first + m * step;
                    }
                })
                .output("out", (long) M * C)
                .input("dout", (long) M * C, Fill.normal(0, 0.1))
                .gradient("dinp", (long) N * C)
                .forward((ops, t) -> ops.gatherRowsForward(t.v("out"), t.v("inp"), t.v("rows"), N, M, C))
                .backward((ops, t) -> ops.gatherRowsBackward(t.v("dinp"), t.v("dout"), t.v("rows"), N, M, C))
                .tolerance(ELEMENTWISE)
                .differentiates("out", "dout", "inp", "dinp")
                .build();
    }

    // dropout: out (N) = inp * keep(key, n, p) / (1 - p)
    static OpCase dropout(Shape s, float p) {
        int N = s.N() * s.C();
        return OpCase.builder("dropout", "p=" + p, s)
                .input("inp", N, Fill.normal(0, 1))
                .output("out", N)
                .input("dout", N, Fill.normal(0, 0.1))
                .gradient("dinp", N)
                .forward((ops, t) -> ops.dropoutForward(t.v("out"), t.v("inp"), p, DROPOUT_KEY, N))
                .backward((ops, t) -> ops.dropoutBackward(t.v("dinp"), t.v("dout"), p, DROPOUT_KEY, N))
                .tolerance(ELEMENTWISE)
                .differentiates("out", "dout", "inp", "dinp")
                .build();
    }

    /**
     * The loss mask: 0 on every fourth row (prompt tokens), 0.5 on a few (a mask is a weight), 1 elsewhere.
     * Deterministic so that the mean's scale 1 / sum(mask) is known when the case is built.
     */
    static float maskAt(int n) {
        return n % 4 == 1 ? 0f : n % 7 == 3 ? 0.5f : 1f;
    }

    // crossEntropy: losses (N), dlogits (N,V) or null, from logits (N,V), targets I32 (N), mask (N)
    static OpCase crossEntropy(Shape s, boolean training) {
        int N = s.N(), V = s.V();
        float total = 0;
        for (int n = 0; n < N; n++) {
            total += maskAt(n);
        }
        float dlossScale = 1f / total;
        OpCase.Builder b = OpCase.builder("crossEntropy", training ? "train" : "eval", s)
                .input("logits", (long) N * V, Fill.normal(0, 2))
                .intInput("targets", N, Fill.ints(V))
                .input("mask", N, (rng, f, i) -> {
                    for (int n = 0; n < f.length; n++) {
                        f[n] = maskAt(n);
                    }
                })
                .output("losses", N)
                // d(mean masked loss)/d losses[n]: the weights of L = sum(losses * weights) for the gradient check
                .input("lossWeights", N, Fill.constant(dlossScale))
                .tolerance(REDUCTION);
        if (training) {
            b.output("dlogits", (long) N * V)
                    .forward((ops, t) -> ops.crossEntropyForward(t.v("losses"), t.v("dlogits"), t.v("logits"),
                            t.v("targets"), t.v("mask"), dlossScale, N, V))
                    // gradients are ~dlossScale = 1/count: an absolute floor of 1e-5 would not test them
                    .tolerance("dlogits", new Tolerance(1e-4, 1e-8))
                    .differentiates("losses", "lossWeights", "logits", "dlogits");
        } else {
            b.forward((ops, t) -> ops.crossEntropyForward(t.v("losses"), null, t.v("logits"), t.v("targets"),
                    t.v("mask"), dlossScale, N, V));
        }
        return b.build();
    }

    // sum / sumOfSquares: out (1) over inp (N), N prime-ish and not a multiple of any work-group size
    static OpCase sum(Shape s, boolean squares) {
        int N = s.N() * s.C() * 3 + 1;
        return OpCase.builder(squares ? "sumOfSquares" : "sum", "", s)
                .input("inp", N, Fill.normal(0, 1))
                .output("out", 1)
                .forward((ops, t) -> {
                    if (squares) {
                        ops.sumOfSquares(t.v("out"), t.v("inp"), N);
                    } else {
                        ops.sum(t.v("out"), t.v("inp"), N);
                    }
                })
                .tolerance(squares ? REDUCTION : SUM)
                .build();
    }

    // adamw: params, m, v (N) updated from grads (N), clipped by normSquared (1); lr 0.01 so the update shows
    static OpCase adamw(Shape s, String variant, float maxNorm, float normSquared, float weightDecay, int step) {
        int N = s.C() * s.C() + 7;
        return OpCase.builder("adamw", variant, s)
                .inout("params", N, Fill.normal(0, 1))
                .input("grads", N, Fill.normal(0, 1))
                .inout("m", N, Fill.normal(0, 0.1))
                .inout("v", N, (rng, f, i) -> {
                    for (int k = 0; k < f.length; k++) {
                        f[k] = (float) (0.01 * Math.abs(rng.nextGaussian()));
                    }
                })
                .input("normSquared", 1, Fill.constant(normSquared))
                .forward((ops, t) -> ops.adamw(t.v("params"), t.v("grads"), t.v("m"), t.v("v"), t.v("normSquared"),
                        maxNorm, 0.01f, 0.9f, 0.99f, 1e-8f, weightDecay, step, N))
                .tolerance(ELEMENTWISE)
                .build();
    }

    // kvCacheStore: kcache, vcache (B,NH,maxT,hs) at positions [pos0, pos0 + T) from qkv (B,T,3C)
    static OpCase kvCacheStore(Shape s, String variant, int T, int maxT, int pos0) {
        int B = s.B(), C = s.C(), NH = s.NH();
        long cacheLen = (long) B * NH * maxT * s.hs();
        return OpCase.builder("kvCacheStore", variant, s)
                .input("qkv", (long) B * T * 3 * C, Fill.normal(0, 1))
                .inout("kcache", cacheLen, Fill.normal(0, 1))
                .inout("vcache", cacheLen, Fill.normal(0, 1))
                .forward((ops, t) -> ops.kvCacheStore(t.v("kcache"), t.v("vcache"), t.v("qkv"), B, T, C, NH, maxT,
                        pos0))
                .tolerance(Tolerance.EXACT)
                .build();
    }

    // attentionDecode: out (B,C) from qkv (B,3C), kcache, vcache (B,NH,maxT,hs), bias (NH,maxT,maxT) or null
    static OpCase attentionDecode(Shape s, String variant, int pos, boolean withBias) {
        int B = s.B(), C = s.C(), NH = s.NH(), maxT = s.T();
        long cacheLen = (long) B * NH * maxT * s.hs();
        return OpCase.builder("attentionDecode", variant, s)
                .input("qkv", (long) B * 3 * C, Fill.normal(0, 1))
                .input("kcache", cacheLen, Fill.normal(0, 1))
                .input("vcache", cacheLen, Fill.normal(0, 1))
                .input("bias", (long) NH * maxT * maxT, Fill.normal(0, 0.5))
                .output("out", (long) B * C)
                .forward((ops, t) -> ops.attentionDecode(t.v("out"), t.v("qkv"), t.v("kcache"), t.v("vcache"),
                        withBias ? t.v("bias") : null, B, C, NH, maxT, pos))
                .tolerance(REDUCTION)
                .build();
    }

    // argmax: out I32 (N) from logits (N,V); values from {0, 1, 2, 3} so most rows have ties
    static OpCase argmax(Shape s) {
        int N = s.N(), V = s.V();
        return OpCase.builder("argmax", "ties", s)
                .input("logits", (long) N * V, (rng, f, i) -> {
                    for (int k = 0; k < f.length; k++) {
                        f[k] = rng.nextInt(4) - 1.5f;
                    }
                })
                .intOutput("out", N)
                .forward((ops, t) -> ops.argmax(t.v("out"), t.v("logits"), N, V))
                .tolerance(Tolerance.EXACT)
                .build();
    }

    // copy: dst = src, F32 or I32
    static OpCase copy(Shape s, boolean ints) {
        int N = s.N() * s.C() + 3;
        OpCase.Builder b = OpCase.builder("copy", ints ? "i32" : "f32", s);
        if (ints) {
            b.intInput("src", N, Fill.ints(1000)).intInout("dst", N, Fill.ints(1000));
        } else {
            b.input("src", N, Fill.normal(0, 1)).inout("dst", N, Fill.normal(0, 1));
        }
        return b.forward((ops, t) -> ops.copy(t.v("dst"), t.v("src")))
                .tolerance(Tolerance.EXACT)
                .build();
    }

    // zero: dst = 0, F32 or I32
    static OpCase zero(Shape s, boolean ints) {
        int N = s.N() * s.C() + 3;
        OpCase.Builder b = OpCase.builder("zero", ints ? "i32" : "f32", s);
        if (ints) {
            b.intInout("dst", N, Fill.ints(1000));
        } else {
            b.inout("dst", N, Fill.normal(0, 1));
        }
        return b.forward((ops, t) -> ops.zero(t.v("dst")))
                .tolerance(Tolerance.EXACT)
                .build();
    }
}

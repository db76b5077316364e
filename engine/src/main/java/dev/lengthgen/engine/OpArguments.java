package dev.lengthgen.engine;

/**
 * One argument checker per op of {@link Ops}, which every backend calls first, before it touches any tensor: a bad
 * call fails the same way, with the same message, on every backend (the tests module holds them to it). A checker
 * enforces the op's contract as Ops states it: dimensions, which views may be null, element types, and that every
 * view holds at least the elements its shape needs. Backends add only their own limits on top (e.g. OpenCL's
 * 32-bit indexing, or ids checked against a table where the ids live in host memory).
 *
 * <p>Messages name the op and the argument as Ops spells them ("layernormBackward dinp: needs 1680 elements, view
 * has 1679"). The checks allocate nothing unless they fail: they run on every op call of every training step.
 */
public final class OpArguments {
    private OpArguments() {
    }

    // ---- encoder ----

    /** See {@link Ops#encoderForward}; posIds may be null only when wpe is. */
    public static void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        String op = "encoderForward";
        count(op, "N", N);
        positive(op, "C", C);
        f32(out, (long) N * C, op, "out");
        i32(tokens, N, op, "tokens");
        table(wte, C, op, "wte");
        if (wpe != null) {
            table(wpe, C, op, "wpe");
            i32(posIds, N, op, "posIds");
        }
    }

    /** See {@link Ops#encoderBackward}; posIds may be null only when dwpe is. */
    public static void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        String op = "encoderBackward";
        count(op, "N", N);
        positive(op, "C", C);
        table(dwte, C, op, "dwte");
        if (dwpe != null) {
            table(dwpe, C, op, "dwpe");
            i32(posIds, N, op, "posIds");
        }
        f32(dout, (long) N * C, op, "dout");
        i32(tokens, N, op, "tokens");
    }

    // ---- layernorm ----

    public static void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias, int N,
                                        int C) {
        String op = "layernormForward";
        count(op, "N", N);
        positive(op, "C", C);
        f32(out, (long) N * C, op, "out");
        f32(mean, N, op, "mean");
        f32(rstd, N, op, "rstd");
        f32(inp, (long) N * C, op, "inp");
        f32(weight, C, op, "weight");
        optionalF32(bias, C, op, "bias");
    }

    public static void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight,
                                         View mean, View rstd, int N, int C) {
        String op = "layernormBackward";
        count(op, "N", N);
        positive(op, "C", C);
        f32(dinp, (long) N * C, op, "dinp");
        f32(dweight, C, op, "dweight");
        optionalF32(dbias, C, op, "dbias");
        f32(dout, (long) N * C, op, "dout");
        f32(inp, (long) N * C, op, "inp");
        f32(weight, C, op, "weight");
        f32(mean, N, op, "mean");
        f32(rstd, N, op, "rstd");
    }

    // ---- linear layer ----

    public static void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        String op = "matmulForward";
        count(op, "N", N);
        positive(op, "C", C);
        positive(op, "OC", OC);
        f32(out, (long) N * OC, op, "out");
        f32(inp, (long) N * C, op, "inp");
        f32(weight, (long) OC * C, op, "weight");
        optionalF32(bias, OC, op, "bias");
    }

    public static void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N,
                                      int C, int OC) {
        String op = "matmulBackward";
        count(op, "N", N);
        positive(op, "C", C);
        positive(op, "OC", OC);
        f32(dinp, (long) N * C, op, "dinp");
        f32(dweight, (long) OC * C, op, "dweight");
        optionalF32(dbias, OC, op, "dbias");
        f32(dout, (long) N * OC, op, "dout");
        f32(inp, (long) N * C, op, "inp");
        f32(weight, (long) OC * C, op, "weight");
    }

    // ---- attention ----

    public static void attentionForward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C,
                                        int NH) {
        String op = "attentionForward";
        count(op, "B", B);
        positive(op, "T", T);
        heads(op, C, NH);
        long rows = (long) B * NH * T;
        f32(out, (long) B * T * C, op, "out");
        f32(preatt, rows * T, op, "preatt");
        f32(att, rows * T, op, "att");
        f32(qkv, 3L * B * T * C, op, "qkv");
        optionalF32(bias, (long) NH * T * T, op, "bias");
    }

    public static void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv,
                                         View att, int B, int T, int C, int NH) {
        String op = "attentionBackward";
        count(op, "B", B);
        positive(op, "T", T);
        heads(op, C, NH);
        long rows = (long) B * NH * T;
        f32(dqkv, 3L * B * T * C, op, "dqkv");
        f32(dpreatt, rows * T, op, "dpreatt");
        f32(datt, rows * T, op, "datt");
        optionalF32(dbias, (long) NH * T * T, op, "dbias");
        f32(dout, (long) B * T * C, op, "dout");
        f32(qkv, 3L * B * T * C, op, "qkv");
        f32(att, rows * T, op, "att");
    }

    // ---- relative position schemes ----

    /** See {@link Ops#rotaryForward}; returns N = B * T. */
    public static int rotaryForward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH) {
        return rotary("rotaryForward", out, "out", qkv, "qkv", posIds, base, B, T, C, NH);
    }

    /** See {@link Ops#rotaryBackward}; returns N = B * T. */
    public static int rotaryBackward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH) {
        return rotary("rotaryBackward", dqkv, "dqkv", dout, "dout", posIds, base, B, T, C, NH);
    }

    private static int rotary(String op, View dst, String dstName, View src, String srcName, View posIds, float base,
                              int B, int T, int C, int NH) {
        count(op, "B", B);
        count(op, "T", T);
        heads(op, C, NH);
        if ((C / NH) % 2 != 0) {
            throw new IllegalArgumentException(op + ": the head size " + C / NH + " must be even");
        }
        if (!(base > 0f) || Float.isInfinite(base)) {
            throw new IllegalArgumentException(op + ": base must be positive and finite, got " + base);
        }
        long n = (long) B * T;
        f32(dst, n * 3 * C, op, dstName);
        f32(src, n * 3 * C, op, srcName);
        i32(posIds, n, op, "posIds");
        return (int) n;
    }

    /** See {@link Ops#bucketBiasForward}: the shapes, not the bucket ids themselves. */
    public static void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K) {
        String op = "bucketBiasForward";
        buckets(op, NH, T, K);
        f32(bias, (long) NH * T * T, op, "bias");
        f32(table, (long) NH * K, op, "table");
        i32(buckets, (long) T * T, op, "buckets");
    }

    /** See {@link Ops#bucketBiasBackward}: the shapes, not the bucket ids themselves. */
    public static void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
        String op = "bucketBiasBackward";
        buckets(op, NH, T, K);
        f32(dtable, (long) NH * K, op, "dtable");
        f32(dbias, (long) NH * T * T, op, "dbias");
        i32(buckets, (long) T * T, op, "buckets");
    }

    private static void buckets(String op, int NH, int T, int K) {
        positive(op, "NH", NH);
        positive(op, "T", T);
        positive(op, "K", K);
    }

    // ---- elementwise ----

    public static void geluForward(View out, View inp, int N) {
        String op = "geluForward";
        count(op, "N", N);
        f32(out, N, op, "out");
        f32(inp, N, op, "inp");
    }

    public static void geluBackward(View dinp, View inp, View dout, int N) {
        String op = "geluBackward";
        count(op, "N", N);
        f32(dinp, N, op, "dinp");
        f32(inp, N, op, "inp");
        f32(dout, N, op, "dout");
    }

    public static void residualForward(View out, View a, View b, int N) {
        String op = "residualForward";
        count(op, "N", N);
        f32(out, N, op, "out");
        f32(a, N, op, "a");
        f32(b, N, op, "b");
    }

    public static void residualBackward(View da, View db, View dout, int N) {
        String op = "residualBackward";
        count(op, "N", N);
        f32(da, N, op, "da");
        f32(db, N, op, "db");
        f32(dout, N, op, "dout");
    }

    public static void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        String op = "dropoutForward";
        dropout(op, p, key, N);
        f32(out, N, op, "out");
        f32(inp, N, op, "inp");
    }

    public static void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        String op = "dropoutBackward";
        dropout(op, p, key, N);
        f32(dinp, N, op, "dinp");
        f32(dout, N, op, "dout");
    }

    /** A dropout probability must be in [0, 1): p = 1 would divide by zero in the 1 / (1 - p) scale. */
    private static void dropout(String op, float p, DropoutKey key, int N) {
        count(op, "N", N);
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException(op + ": the dropout probability must be in [0, 1), got " + p);
        }
        if (key == null) {
            throw new IllegalArgumentException(op + " key: must not be null");
        }
    }

    // ---- loss ----

    /** See {@link Ops#crossEntropyForward}: shapes, not the targets' values. */
    public static void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask,
                                           float dlossScale, int N, int V) {
        String op = "crossEntropyForward";
        count(op, "N", N);
        positive(op, "V", V);
        f32(losses, N, op, "losses");
        optionalF32(dlogits, (long) N * V, op, "dlogits");
        f32(logits, (long) N * V, op, "logits");
        i32(targets, N, op, "targets");
        f32(mask, N, op, "mask");
    }

    public static void sum(View out, View inp, long N) {
        reduction("sum", out, inp, N);
    }

    public static void sumOfSquares(View out, View inp, long N) {
        reduction("sumOfSquares", out, inp, N);
    }

    private static void reduction(String op, View out, View inp, long N) {
        count(op, "N", N);
        f32(out, 1, op, "out");
        f32(inp, N, op, "inp");
    }

    // ---- optimizer ----

    /** See {@link Ops#adamw}; normSquared may be null only when maxNorm <= 0 (no clipping). */
    public static void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, int t,
                             long N) {
        String op = "adamw";
        count(op, "N", N);
        if (t < 1) {
            throw new IllegalArgumentException(op + ": the step t counts from 1, got " + t);
        }
        f32(params, N, op, "params");
        f32(grads, N, op, "grads");
        f32(m, N, op, "m");
        f32(v, N, op, "v");
        if (maxNorm > 0f) {
            f32(normSquared, 1, op, "normSquared");
        } else {
            optionalF32(normSquared, 1, op, "normSquared");
        }
    }

    // ---- decoding ----

    public static void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT,
                                    int pos0) {
        String op = "kvCacheStore";
        count(op, "B", B);
        count(op, "T", T);
        heads(op, C, NH);
        if (pos0 < 0 || (long) pos0 + T > maxT) {
            throw new IllegalArgumentException(op + ": positions [" + pos0 + ", " + ((long) pos0 + T)
                    + ") do not fit a cache of " + maxT);
        }
        f32(kcache, (long) B * maxT * C, op, "kcache");
        f32(vcache, (long) B * maxT * C, op, "vcache");
        f32(qkv, 3L * B * T * C, op, "qkv");
    }

    public static void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH,
                                       int maxT, int pos) {
        String op = "attentionDecode";
        count(op, "B", B);
        heads(op, C, NH);
        if (pos < 0 || pos >= maxT) {
            throw new IllegalArgumentException(op + ": position " + pos + " is outside the cache of " + maxT);
        }
        f32(out, (long) B * C, op, "out");
        f32(qkv, 3L * B * C, op, "qkv");
        f32(kcache, (long) B * maxT * C, op, "kcache");
        f32(vcache, (long) B * maxT * C, op, "vcache");
        optionalF32(bias, (long) NH * maxT * maxT, op, "bias");
    }

    public static void argmax(View out, View logits, int N, int V) {
        String op = "argmax";
        count(op, "N", N);
        positive(op, "V", V);
        i32(out, N, op, "out");
        f32(logits, (long) N * V, op, "logits");
    }

    // ---- plumbing ----

    public static void zero(View dst) {
        notNull(dst, "zero", "dst");
    }

    public static void copy(View dst, View src) {
        notNull(dst, "copy", "dst");
        notNull(src, "copy", "src");
        if (dst.type() != src.type() || dst.length() != src.length()) {
            throw new IllegalArgumentException("copy: src (" + src.type() + " x " + src.length() + ") does not "
                    + "match dst (" + dst.type() + " x " + dst.length() + ")");
        }
    }

    // ---- the checks themselves ----

    /** C channels must split evenly into NH heads. */
    private static void heads(String op, int C, int NH) {
        if (NH <= 0 || C <= 0 || C % NH != 0) {
            throw new IllegalArgumentException(op + ": C = " + C + " channels do not split into NH = " + NH
                    + " heads");
        }
    }

    private static void count(String op, String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(op + ": " + name + " must not be negative, got " + value);
        }
    }

    private static void positive(String op, String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(op + ": " + name + " must be positive, got " + value);
        }
    }

    private static void notNull(View v, String op, String part) {
        if (v == null) {
            throw new IllegalArgumentException(op + " " + part + ": must not be null");
        }
    }

    private static void f32(View v, long n, String op, String part) {
        notNull(v, op, part);
        v.require(DType.F32, n, op, part);
    }

    private static void i32(View v, long n, String op, String part) {
        notNull(v, op, part);
        v.require(DType.I32, n, op, part);
    }

    private static void optionalF32(View v, long n, String op, String part) {
        if (v != null) {
            v.require(DType.F32, n, op, part);
        }
    }

    /** An embedding table or its gradient: F32 rows of C, at least one (the row count comes from the view). */
    private static void table(View v, int C, String op, String part) {
        f32(v, C, op, part);
        if (v.length() % C != 0) {
            throw new IllegalArgumentException(op + " " + part + ": " + v.length() + " elements are not whole rows "
                    + "of C = " + C);
        }
    }

    /**
     * The sizes of a gatherRowsForward call; the row ids themselves are checked by {@link #gatherRowIds} where the
     * backend can read them (the OpenCL kernels skip ids outside [0, N)).
     */
    public static void gatherRowsForward(View out, View inp, View rows, int N, int M, int C) {
        String op = "gatherRowsForward";
        gatherSizes(op, N, M, C);
        f32(out, (long) M * C, op, "out");
        f32(inp, (long) N * C, op, "inp");
        i32(rows, M, op, "rows");
    }

    public static void gatherRowsBackward(View dinp, View dout, View rows, int N, int M, int C) {
        String op = "gatherRowsBackward";
        gatherSizes(op, N, M, C);
        f32(dinp, (long) N * C, op, "dinp");
        f32(dout, (long) M * C, op, "dout");
        i32(rows, M, op, "rows");
    }

    private static void gatherSizes(String op, int N, int M, int C) {
        count(op, "N", N);
        count(op, "M", M);
        positive(op, "C", C);
        if (M > N) {
            throw new IllegalArgumentException(op + ": M = " + M + " distinct rows cannot come from N = " + N);
        }
    }

    /** Row ids ids[off .. off + M) must be strictly increasing and inside [0, n). */
    public static void gatherRowIds(String op, int[] ids, int off, int M, int n) {
        int previous = -1;
        for (int m = 0; m < M; m++) {
            int r = ids[off + m];
            if (r <= previous || r >= n) {
                throw new IllegalArgumentException(op + ": row " + r + " at " + m + " is not inside [0, " + n
                        + ") or not above the row before it (" + previous + ")");
            }
            previous = r;
        }
    }
}

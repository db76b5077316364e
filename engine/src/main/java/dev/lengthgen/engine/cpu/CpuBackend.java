package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.OpArguments;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.WallClockProfiling;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/**
 * The fast CPU backend: F32 tensors as float[], I32 as int[]; every op on the Java Vector API
 * ({@link FloatVector#SPECIES_PREFERRED}) and a fixed {@link WorkerPool}. Ops complete before they return.
 *
 * <p>Every op splits its work in a way fixed by the shapes alone (rows, blocks, columns), never by timing, and
 * every reduction runs in a fixed order, so a result is the same bits on every run; for most ops it does not even
 * depend on the thread count. After the first call at a given shape nothing is allocated: packing buffers and
 * scratch rows live per worker, and each op keeps its arguments in fields of a reusable task object rather than
 * in a capturing lambda.
 */
public final class CpuBackend extends WallClockProfiling {
    private final WorkerPool pool;
    private final Gemm gemm;
    private final Elementwise elementwise;
    private final LayerNorm layerNorm;
    private final Attention attention;
    private final CrossEntropy crossEntropy;
    private final Sums sums;
    private final AdamW adamw;
    private final Encoder encoder;
    private final ColumnSums columnSums;
    private final RowGather rowGather;

    /** @param threads worker threads including the caller; 0 for one per available processor */
    public CpuBackend(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per core) or positive, got " + threads);
        }
        int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        pool = new WorkerPool(n);
        gemm = new Gemm(pool);
        elementwise = new Elementwise(pool);
        layerNorm = new LayerNorm(pool);
        attention = new Attention(pool);
        crossEntropy = new CrossEntropy(pool);
        sums = new Sums(pool);
        adamw = new AdamW(pool);
        encoder = new Encoder(pool);
        columnSums = new ColumnSums(pool);
        rowGather = new RowGather(pool);
    }

    /** Worker threads, the calling thread included. */
    public int threads() {
        return pool.workers();
    }

    /** The pool's own threads (not the caller), e.g. to account their allocations. */
    public Thread[] workerThreads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String describe() {
        return "cpu (Java Vector API, " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, "
                + pool.workers() + (pool.workers() == 1 ? " thread)" : " threads)");
    }

    @Override
    public Memory allocate(DType type, long length, String label) {
        return new CpuMemory(type, length, label);
    }

    private static float[] f(View v) {
        return ((CpuMemory) v.memory()).f;
    }

    private static int[] i(View v) {
        return ((CpuMemory) v.memory()).i;
    }

    private static int o(View v) {
        return (int) v.offset();
    }

    private static float[] fOrNull(View v) {
        return v == null ? null : f(v);
    }

    private static int oOrZero(View v) {
        return v == null ? 0 : o(v);
    }

    @Override
    public void upload(View dst, float[] src) {
        dst.require(DType.F32, src.length, "upload");
        System.arraycopy(src, 0, f(dst), o(dst), src.length);
    }

    @Override
    public void upload(View dst, int[] src) {
        dst.require(DType.I32, src.length, "upload");
        System.arraycopy(src, 0, i(dst), o(dst), src.length);
    }

    @Override
    public void download(View src, float[] dst) {
        src.require(DType.F32, 0, "download");
        System.arraycopy(f(src), o(src), dst, 0, (int) src.length());
    }

    @Override
    public void download(View src, int[] dst) {
        src.require(DType.I32, 0, "download");
        System.arraycopy(i(src), o(src), dst, 0, (int) src.length());
    }

    @Override
    public void finish() {
    }

    @Override
    public long maxAllocationBytes() {
        return (long) (Integer.MAX_VALUE - 64) * 4;
    }

    @Override
    public long totalMemoryBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- encoder ----

    @Override
    public void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        OpArguments.encoderForward(out, tokens, posIds, wte, wpe, N, C);
        checkIds(tokens, N, wte.length() / C, "token");
        if (wpe != null) {
            checkIds(posIds, N, wpe.length() / C, "position id");
        }
        encoder.forward(f(out), o(out), i(tokens), o(tokens), wpe == null ? null : i(posIds), oOrZero(posIds),
                f(wte), o(wte), fOrNull(wpe), oOrZero(wpe), N, C);
    }

    @Override
    public void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        OpArguments.encoderBackward(dwte, dwpe, dout, tokens, posIds, N, C);
        checkIds(tokens, N, dwte.length() / C, "token");
        if (dwpe != null) {
            checkIds(posIds, N, dwpe.length() / C, "position id");
        }
        encoder.backward(f(dwte), o(dwte), fOrNull(dwpe), oOrZero(dwpe), f(dout), o(dout), i(tokens), o(tokens),
                dwpe == null ? null : i(posIds), oOrZero(posIds), N, C);
    }

    /** Ids index rows of an embedding; one outside [0, rows) would read or write another tensor's memory. */
    private static void checkIds(View ids, int n, long rows, String what) {
        int[] a = i(ids);
        int off = o(ids);
        for (int k = 0; k < n; k++) {
            int id = a[off + k];
            if (id < 0 || id >= rows) {
                throw new IllegalArgumentException(what + " " + id + " at row " + k + " is outside [0, " + rows + ")");
            }
        }
    }

    // ---- layernorm ----

    @Override
    public void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) {
        OpArguments.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
        layerNorm.forward(f(out), o(out), f(mean), o(mean), f(rstd), o(rstd), f(inp), o(inp), f(weight), o(weight),
                fOrNull(bias), oOrZero(bias), N, C);
    }

    @Override
    public void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean,
                                  View rstd, int N, int C) {
        OpArguments.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        layerNorm.backward(f(dinp), o(dinp), f(dweight), o(dweight), fOrNull(dbias), oOrZero(dbias), f(dout),
                o(dout), f(inp), o(inp), f(weight), o(weight), f(mean), o(mean), f(rstd), o(rstd), N, C);
    }

    // ---- linear layer ----

    @Override
    public void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        OpArguments.matmulForward(out, inp, weight, bias, N, C, OC);
        boolean accumulate = false;
        if (bias != null) {
            float[] o = f(out);
            for (int r = 0; r < N; r++) {
                System.arraycopy(f(bias), o(bias), o, o(out) + r * OC, OC);
            }
            accumulate = true;
        }
        // out (N,OC) = inp (N,C) . weight^T: B(k=c, j=oc) = weight[oc*C + c]
        gemm.multiply(N, OC, C, f(inp), o(inp), C, 1, f(weight), o(weight), 1, C, f(out), o(out), OC, accumulate);
    }

    @Override
    public void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C,
                               int OC) {
        OpArguments.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
        // dinp (N,C) += dout (N,OC) . weight (OC,C)
        gemm.multiply(N, C, OC, f(dout), o(dout), OC, 1, f(weight), o(weight), C, 1, f(dinp), o(dinp), C, true);
        // dweight (OC,C) += dout^T (OC,N) . inp (N,C): A(i=oc, k=n) = dout[n*OC + oc]
        gemm.multiply(OC, C, N, f(dout), o(dout), 1, OC, f(inp), o(inp), C, 1, f(dweight), o(dweight), C, true);
        if (dbias != null) {
            columnSums.add(f(dbias), o(dbias), f(dout), o(dout), N, OC);
        }
    }

    // ---- attention ----

    @Override
    public void attentionForward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) {
        OpArguments.attentionForward(out, preatt, att, qkv, bias, B, T, C, NH);
        attention.forward(f(out), o(out), f(preatt), o(preatt), f(att), o(att), f(qkv), o(qkv), fOrNull(bias),
                oOrZero(bias), B, T, C, NH);
    }

    @Override
    public void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att,
                                  int B, int T, int C, int NH) {
        OpArguments.attentionBackward(dqkv, dpreatt, datt, dbias, dout, qkv, att, B, T, C, NH);
        attention.backward(f(dqkv), o(dqkv), f(dpreatt), o(dpreatt), f(datt), o(datt), fOrNull(dbias),
                oOrZero(dbias), f(dout), o(dout), f(qkv), o(qkv), f(att), o(att), B, T, C, NH);
    }


    // ---- elementwise ----

    @Override
    public void geluForward(View out, View inp, int N) {
        OpArguments.geluForward(out, inp, N);
        elementwise.geluForward(f(out), o(out), f(inp), o(inp), N);
    }

    @Override
    public void geluBackward(View dinp, View inp, View dout, int N) {
        OpArguments.geluBackward(dinp, inp, dout, N);
        elementwise.geluBackward(f(dinp), o(dinp), f(inp), o(inp), f(dout), o(dout), N);
    }

    @Override
    public void residualForward(View out, View a, View b, int N) {
        OpArguments.residualForward(out, a, b, N);
        elementwise.residualForward(f(out), o(out), f(a), o(a), f(b), o(b), N);
    }

    @Override
    public void residualBackward(View da, View db, View dout, int N) {
        OpArguments.residualBackward(da, db, dout, N);
        elementwise.residualBackward(f(da), o(da), f(db), o(db), f(dout), o(dout), N);
    }

    @Override
    public void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        OpArguments.dropoutForward(out, inp, p, key, N);
        elementwise.dropoutForward(f(out), o(out), f(inp), o(inp), p, key, N);
    }

    @Override
    public void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        OpArguments.dropoutBackward(dinp, dout, p, key, N);
        elementwise.dropoutBackward(f(dinp), o(dinp), f(dout), o(dout), p, key, N);
    }


    // ---- row selection ----

    @Override
    public void gatherRowsForward(View out, View inp, View rows, int N, int M, int C) {
        OpArguments.gatherRowsForward(out, inp, rows, N, M, C);
        OpArguments.gatherRowIds("gatherRowsForward", i(rows), o(rows), M, N);
        rowGather.run(f(inp), o(inp), f(out), o(out), i(rows), o(rows), M, C, false);
    }

    @Override
    public void gatherRowsBackward(View dinp, View dout, View rows, int N, int M, int C) {
        OpArguments.gatherRowsBackward(dinp, dout, rows, N, M, C);
        OpArguments.gatherRowIds("gatherRowsBackward", i(rows), o(rows), M, N);
        rowGather.run(f(dinp), o(dinp), f(dout), o(dout), i(rows), o(rows), M, C, true);
    }

    // ---- loss ----

    @Override
    public void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask,
                                    float dlossScale, int N, int V) {
        OpArguments.crossEntropyForward(losses, dlogits, logits, targets, mask, dlossScale, N, V);
        crossEntropy.forward(f(losses), o(losses), fOrNull(dlogits), oOrZero(dlogits), f(logits), o(logits),
                i(targets), o(targets), f(mask), o(mask), dlossScale, N, V);
    }

    @Override
    public void sum(View out, View inp, long N) {
        OpArguments.sum(out, inp, N);
        f(out)[o(out)] = sums.sum(f(inp), o(inp), N, false);
    }

    @Override
    public void sumOfSquares(View out, View inp, long N) {
        OpArguments.sumOfSquares(out, inp, N);
        f(out)[o(out)] = sums.sum(f(inp), o(inp), N, true);
    }

    // ---- optimizer ----

    @Override
    public void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int t, long N) {
        OpArguments.adamw(params, grads, m, v, normSquared, maxNorm, t, N);
        float clip = 1f;
        if (maxNorm > 0f) {
            float norm = (float) Math.sqrt(f(normSquared)[o(normSquared)]);
            clip = Math.min(1f, maxNorm / (norm + 1e-6f));
        }
        adamw.update(f(params), o(params), f(grads), o(grads), f(m), o(m), f(v), o(v), clip, lr, beta1, beta2, eps,
                weightDecay, t, N);
    }

    // ---- greedy decoding ----

    @Override
    public void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0) {
        OpArguments.kvCacheStore(kcache, vcache, qkv, B, T, C, NH, maxT, pos0);
        attention.kvCacheStore(f(kcache), o(kcache), f(vcache), o(vcache), f(qkv), o(qkv), B, T, C, NH, maxT, pos0);
    }

    @Override
    public void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH,
                                int maxT, int pos) {
        OpArguments.attentionDecode(out, qkv, kcache, vcache, bias, B, C, NH, maxT, pos);
        attention.decode(f(out), o(out), f(qkv), o(qkv), f(kcache), o(kcache), f(vcache), o(vcache), fOrNull(bias),
                oOrZero(bias), B, C, NH, maxT, pos);
    }

    @Override
    public void argmax(View out, View logits, int N, int V) {
        OpArguments.argmax(out, logits, N, V);
        crossEntropy.argmax(i(out), o(out), f(logits), o(logits), N, V);
    }

    // ---- plumbing ----

    @Override
    public void zero(View dst) {
        OpArguments.zero(dst);
        if (dst.type() == DType.F32) {
            elementwise.zero(f(dst), o(dst), (int) dst.length());
        } else {
            Arrays.fill(i(dst), o(dst), o(dst) + (int) dst.length(), 0);
        }
    }

    @Override
    public void copy(View dst, View src) {
        OpArguments.copy(dst, src);
        if (dst.type() == DType.F32) {
            elementwise.copy(f(dst), o(dst), f(src), o(src), (int) dst.length());
        } else {
            System.arraycopy(i(src), o(src), i(dst), o(dst), (int) dst.length());
        }
    }

    // ---- relative position schemes ----
    // Created on first use: models with absolute positions never allocate their tables and scratch.

    private Rotary rotary;
    private BucketBias bucketBias;

    @Override
    public void rotaryForward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH) {
        int N = OpArguments.rotaryForward(out, qkv, posIds, base, B, T, C, NH);
        rotary().apply(f(out), o(out), f(qkv), o(qkv), i(posIds), o(posIds), base, N, C, NH, false);
    }

    @Override
    public void rotaryBackward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH) {
        int N = OpArguments.rotaryBackward(dqkv, dout, posIds, base, B, T, C, NH);
        rotary().apply(f(dqkv), o(dqkv), f(dout), o(dout), i(posIds), o(posIds), base, N, C, NH, true);
    }

    private Rotary rotary() {
        if (rotary == null) {
            rotary = new Rotary(pool);
        }
        return rotary;
    }


    @Override
    public void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K) {
        OpArguments.bucketBiasForward(bias, table, buckets, NH, T, K);
        checkBuckets("bucketBiasForward", buckets, T, K);
        bucketBias().forward(f(bias), o(bias), f(table), o(table), i(buckets), o(buckets), NH, T, K);
    }

    @Override
    public void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
        OpArguments.bucketBiasBackward(dtable, dbias, buckets, NH, T, K);
        checkBuckets("bucketBiasBackward", buckets, T, K);
        bucketBias().backward(f(dtable), o(dtable), f(dbias), o(dbias), i(buckets), o(buckets), NH, T, K);
    }

    private BucketBias bucketBias() {
        if (bucketBias == null) {
            bucketBias = new BucketBias(pool);
        }
        return bucketBias;
    }

    /** Buckets index the table; one outside [0, K) would read or write another tensor's memory. */
    private static void checkBuckets(String op, View buckets, int T, int K) {
        int[] a = i(buckets);
        int off = o(buckets);
        for (int q = 0; q < T; q++) {
            for (int k = 0; k <= q; k++) {
                int b = a[off + q * T + k];
                if (b < 0 || b >= K) {
                    throw new IllegalArgumentException(op + ": bucket " + b + " of query " + q + ", key " + k
                            + " is outside [0, " + K + ")");
                }
            }
        }
    }
}

package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

import java.util.Arrays;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * Causal multi-head attention, fused per (batch, head): scores, softmax and the weighted sum of values for one
 * head happen in one task while its q, k, v (T x hs each) sit in L1/L2. Tasks write disjoint outputs, so workers can
 * take them in any order.
 *
 * <p>The products of a head (q . k^T and att . v forward; dout . v^T, dpre . k, dpre^T . q and att^T . dout
 * backward) are small GEMMs. Heads of up to {@link #ROW_BLOCK_MAX_HS} channels in sequences of up to {@link
 * #ROW_BLOCK_MAX_T} positions run them on 8-row register blocks over the operands where they lie ({@link
 * RowBlockAttention}); wider heads and longer sequences on the GEMM micro-kernels over operands packed per head
 * ({@link HeadWorkspace}), whose tiles stay in cache where a head's T x T rows would not. Both skip the blocks above
 * the diagonal and run the softmax and its backward pass row by row between the products, vectorized over key
 * positions. Every accumulator runs over a fixed range in a fixed order, so results are deterministic.
 *
 * <p>Layouts: qkv (B,T,3C) with q, k, v of head h at channels h*hs, C + h*hs, 2C + h*hs; preatt, att (B,NH,T,T);
 * out (B,T,C). Entries above the diagonal (t2 &gt; t) of preatt, att, dpreatt and datt are written as 0.
 */
final class Attention {
    private final WorkerPool pool;
    /** The widest head that takes the row-block path (see {@link #rowBlocks}); a property, to compare the paths. */
    static final int ROW_BLOCK_MAX_HS = Integer.getInteger("lengthgen.attention.rowBlockMaxHs", 64);
    /** The longest sequence that takes the row-block path; a property, to compare the paths. */
    static final int ROW_BLOCK_MAX_T = Integer.getInteger("lengthgen.attention.rowBlockMaxT", 128);

    private final HeadWorkspace[] workspaces;
    private final RowBlockAttention[] rowBlocks;
    private final float[][] row;
    private final float[][] lanes;

    // the call in flight
    private float[] out, preatt, att, qkv, bias, dqkv, dpreatt, datt, dbias, dout, kcache, vcache;
    private int outO, preattO, attO, qkvO, biasO, dqkvO, dpreattO, dattO, dbiasO, doutO, kcacheO, vcacheO;
    private int b, t, c, nh, maxT, pos;

    private final WorkerPool.Task forwardTask = this::forwardHead;
    private final WorkerPool.Task backwardTask = this::backwardHead;
    private final WorkerPool.Task biasGradTask = this::biasGradRow;
    private final WorkerPool.Task storeTask = this::storeSequence;
    private final WorkerPool.Task decodeTask = this::decodeHead;

    Attention(WorkerPool pool) {
        this.pool = pool;
        int w = pool.workers();
        workspaces = new HeadWorkspace[w];
        rowBlocks = new RowBlockAttention[w];
        for (int i = 0; i < w; i++) {
            workspaces[i] = new HeadWorkspace();
            rowBlocks[i] = new RowBlockAttention();
        }
        row = new float[w][0];
        lanes = new float[w][LANES];
    }

    private static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    private float[] rowScratch(int worker, int size) {
        if (row[worker].length < size) {
            row[worker] = new float[size];
        }
        return row[worker];
    }

    // ---------------------------------------------------------------------------------------------------------------
    // forward

    /** out (B,T,C), preatt, att (B,NH,T,T) written from qkv (B,T,3C) and bias (NH,T,T) or null. */
    void forward(float[] out, int outO, float[] preatt, int preattO, float[] att, int attO, float[] qkv, int qkvO,
                 float[] bias, int biasO, int B, int T, int C, int NH) {
        this.out = out;
        this.outO = outO;
        this.preatt = preatt;
        this.preattO = preattO;
        this.att = att;
        this.attO = attO;
        this.qkv = qkv;
        this.qkvO = qkvO;
        this.bias = bias;
        this.biasO = biasO;
        this.b = B;
        this.t = T;
        this.c = C;
        this.nh = NH;
        try {
            pool.forEach(B * NH, forwardTask);
        } finally {
            release();
        }
    }

    private void forwardHead(int task, int worker) {
        int T = t, C = c, NH = nh, hs = C / NH;
        int bi = task / NH, h = task % NH;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = qkvO + bi * T * 3 * C;
        int head = (bi * NH + h) * T * T;
        if (rowBlocks(T, hs)) {
            rowBlocks[worker].forward(qkv, base, C, h, hs, T, scale, bias, biasO + h * T * T, preatt, preattO + head,
                    att, attO + head, out, outO + bi * T * C + h * hs);
            return;
        }
        HeadWorkspace w = workspaces[worker];
        w.shape(T, hs);
        w.packTransposed(qkv, base + C + h * hs, 3 * C);
        w.packRows(qkv, base + h * hs, 3 * C);
        w.packSlivers(qkv, base + 2 * C + h * hs, 3 * C);
        w.scores();
        for (int ti = 0; ti < T; ti++) {
            softmaxRow(w, ti, scale, biasO + (h * T + ti) * T, preattO + head + ti * T, attO + head + ti * T);
        }
        // out = att . v
        w.rowsTimesB(w.p);
        for (int ti = 0; ti < T; ti++) {
            System.arraycopy(w.o, ti * w.HN, out, outO + (bi * T + ti) * C + h * hs, hs);
        }
    }

    /**
     * Row ti of the scores in w.s becomes preatt (scaled, plus the bias row at bo) and the probabilities (w.p and
     * att). The row is worked on in whole vectors (workspace rows are padded to them), the lanes from len on masked
     * out by plain stores: -inf before the max and exp, 0 after. Only [0, len) is copied to preatt and att. Short
     * rows would otherwise run almost entirely in scalar tails. A method of its own so that the JIT inlines exp and
     * sumLanes here: a vector passed to a call that is not inlined is boxed, which allocates.
     */
    private void softmaxRow(HeadWorkspace w, int ti, float scale, int bo, int pre, int a) {
        int T = w.T;
        int len = ti + 1;
        int end = (len + LANES - 1) / LANES * LANES;
        int row = ti * w.TN;
        FloatVector vscale = FloatVector.broadcast(S, scale);
        for (int i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(S, w.s, row + i).mul(vscale);
            if (bias != null) {
                float[] from = bias;
                int o = bo + i;
                if (o + LANES > bias.length) { // the last row of the last head: a load that stops at the end
                    from = lastLanes(bias, o, len - i, w.lanes);
                    o = 0;
                }
                v = v.add(FloatVector.fromArray(S, from, o));
            }
            v.intoArray(w.s, row + i);
        }
        System.arraycopy(w.s, row, preatt, pre, len);
        Arrays.fill(preatt, pre + len, pre + T, 0f);
        Arrays.fill(w.s, row + len, row + end, Float.NEGATIVE_INFINITY);
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < end; i += LANES) {
            vmax = vmax.max(FloatVector.fromArray(S, w.s, row + i));
        }
        FloatVector vm = FloatVector.broadcast(S, vmax.reduceLanes(VectorOperators.MAX));
        for (int i = 0; i < end; i += LANES) {
            VectorMath.exp(FloatVector.fromArray(S, w.s, row + i).sub(vm)).intoArray(w.s, row + i);
        }
        Arrays.fill(w.s, row + len, row + end, 0f); // exp clamps: e^-inf is ~1e-38, not 0
        FloatVector sum = FloatVector.zero(S);
        for (int i = 0; i < end; i += LANES) {
            sum = sum.add(FloatVector.fromArray(S, w.s, row + i));
        }
        FloatVector vinv = FloatVector.broadcast(S, 1f / VectorMath.sumLanes(sum, w.lanes));
        int pr = ti * w.TC;
        for (int i = 0; i < end; i += LANES) {
            FloatVector.fromArray(S, w.s, row + i).mul(vinv).intoArray(w.p, pr + i);
        }
        Arrays.fill(w.p, pr + end, pr + w.TC, 0f);
        System.arraycopy(w.p, pr, att, a, len);
        Arrays.fill(att, a + len, a + T, 0f);
    }

    /**
     * Whether a head takes the row-block path ({@link RowBlockAttention}) rather than packed GEMM tiles. Measured
     * (one thread, batch 64, median CPU time per call, alternating runs): at T = 34 and 16 or 32 channels the row
     * blocks took 1.4-1.9x less time forward and backward than the paths before them; at T = 64 and 64 channels
     * 12-15% less than the GEMM tiles, at T = 128 about the same, at T = 256 10-25% more (the head's T x T rows
     * leave L2).
     */
    static boolean rowBlocks(int T, int hs) {
        return hs <= ROW_BLOCK_MAX_HS && T <= ROW_BLOCK_MAX_T;
    }

    /** scratch = the values at a[o..o+n) (at most LANES of them), zero after. */
    private static float[] lastLanes(float[] a, int o, int n, float[] scratch) {
        Arrays.fill(scratch, 0f);
        System.arraycopy(a, o, scratch, 0, Math.min(n, LANES));
        return scratch;
    }

    /** r[o + i] = exp(r[o + i] - max) for i &lt; len; returns their sum, in a fixed order. */
    private static float softmaxExp(float[] r, int o, int len, float max, float[] scratch) {
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, r, o + i).sub(vmax));
            e.intoArray(r, o + i);
            acc = acc.add(e);
        }
        float sum = VectorMath.sumLanes(acc, scratch);
        for (; i < len; i++) {
            float e = VectorMath.exp(r[o + i] - max);
            r[o + i] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * dst[0..hs) += alpha * (sum over i in [from, to) of wt[wO + i * wStride] * src[srcBase + i * stride + (0..hs)]):
     * vectorized over the hs channels, i ascending. With wStride 1 the weights are a row of a matrix, with wStride =
     * its row stride a column. It always adds (callers that want "=" zero dst first): a vector chosen by a branch
     * would be boxed, allocating on every call.
     */
    private static void weightedRows(float[] wt, int wO, int wStride, int from, int to, float[] src, int srcBase,
                                     int stride, int hs, float[] dst, int dstO, float alpha) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int d = 0;
        for (; d + 2 * LANES <= hs; d += 2 * LANES) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            for (int i = from; i < to; i++) {
                FloatVector wi = FloatVector.broadcast(S, wt[wO + i * wStride]);
                int s = srcBase + i * stride + d;
                acc0 = wi.fma(FloatVector.fromArray(S, src, s), acc0);
                acc1 = wi.fma(FloatVector.fromArray(S, src, s + LANES), acc1);
            }
            acc0.fma(va, FloatVector.fromArray(S, dst, dstO + d)).intoArray(dst, dstO + d);
            acc1.fma(va, FloatVector.fromArray(S, dst, dstO + d + LANES)).intoArray(dst, dstO + d + LANES);
        }
        for (; d + LANES <= hs; d += LANES) {
            FloatVector acc = FloatVector.zero(S);
            for (int i = from; i < to; i++) {
                acc = FloatVector.broadcast(S, wt[wO + i * wStride])
                        .fma(FloatVector.fromArray(S, src, srcBase + i * stride + d), acc);
            }
            acc.fma(va, FloatVector.fromArray(S, dst, dstO + d)).intoArray(dst, dstO + d);
        }
        for (; d < hs; d++) {
            float acc = 0f;
            for (int i = from; i < to; i++) {
                acc = Math.fma(wt[wO + i * wStride], src[srcBase + i * stride + d], acc);
            }
            dst[dstO + d] = Math.fma(acc, alpha, dst[dstO + d]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // backward

    /** dqkv (B,T,3C) +=; dpreatt, datt (B,NH,T,T) written; dbias (NH,T,T) += summed over the batch, or null. */
    void backward(float[] dqkv, int dqkvO, float[] dpreatt, int dpreattO, float[] datt, int dattO, float[] dbias,
                  int dbiasO, float[] dout, int doutO, float[] qkv, int qkvO, float[] att, int attO,
                  int B, int T, int C, int NH) {
        this.dqkv = dqkv;
        this.dqkvO = dqkvO;
        this.dpreatt = dpreatt;
        this.dpreattO = dpreattO;
        this.datt = datt;
        this.dattO = dattO;
        this.dbias = dbias;
        this.dbiasO = dbiasO;
        this.dout = dout;
        this.doutO = doutO;
        this.qkv = qkv;
        this.qkvO = qkvO;
        this.att = att;
        this.attO = attO;
        this.b = B;
        this.t = T;
        this.c = C;
        this.nh = NH;
        try {
            pool.forEach(B * NH, backwardTask);
            if (dbias != null) {
                // summed over the batch in batch order, after every head has its dpreatt
                pool.forEach(NH * T, biasGradTask);
            }
        } finally {
            release();
        }
    }

    private void backwardHead(int task, int worker) {
        int T = t, C = c, NH = nh, hs = C / NH;
        int bi = task / NH, h = task % NH;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = qkvO + bi * T * 3 * C;
        int dbase = dqkvO + bi * T * 3 * C;
        int gbase = doutO + bi * T * C + h * hs;
        int head = (bi * NH + h) * T * T;
        if (rowBlocks(T, hs)) {
            rowBlocks[worker].backward(qkv, base, C, h, hs, T, scale, dout, gbase, att, attO + head, datt,
                    dattO + head, dpreatt, dpreattO + head, dqkv, dbase);
            return;
        }
        HeadWorkspace w = workspaces[worker];
        w.shape(T, hs);
        // datt = dout . v^T
        w.packTransposed(qkv, base + 2 * C + h * hs, 3 * C);
        w.packRows(dout, gbase, C);
        w.scores();
        for (int ti = 0; ti < T; ti++) {
            softmaxBackwardRow(w, ti, attO + head + ti * T, dattO + head + ti * T, dpreattO + head + ti * T);
        }
        // dq += scale dpre . k;  dk += scale dpre^T . q;  dv += att^T . dout
        w.packSlivers(qkv, base + C + h * hs, 3 * C);
        w.rowsTimesB(w.d);
        addRows(w, scale, dqkv, dbase + h * hs);
        w.packSlivers(qkv, base + h * hs, 3 * C);
        w.transposedTimesB(w.d);
        addRows(w, scale, dqkv, dbase + C + h * hs);
        w.packSlivers(dout, gbase, C);
        w.transposedTimesB(w.p);
        addRows(w, 1f, dqkv, dbase + 2 * C + h * hs);
    }

    /**
     * Row ti: datt (w.s) copied out to datt at da, the probabilities of att at a into w.p, and dpreatt =
     * att * (datt - sum(att * datt)) into w.d and dpreatt at dp. In whole vectors, as in {@link #softmaxRow}: att is 0
     * from len on and the scores there are finite, so those lanes add nothing and come out 0.
     */
    private void softmaxBackwardRow(HeadWorkspace w, int ti, int a, int da, int dp) {
        int T = w.T;
        int len = ti + 1;
        int end = (len + LANES - 1) / LANES * LANES;
        int row = ti * w.TN;
        int pr = ti * w.TC;
        System.arraycopy(w.s, row, datt, da, len);
        Arrays.fill(datt, da + len, da + T, 0f);
        System.arraycopy(att, a, w.p, pr, len);
        Arrays.fill(w.p, pr + len, pr + w.TC, 0f);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < end; i += LANES) {
            acc = FloatVector.fromArray(S, w.p, pr + i).fma(FloatVector.fromArray(S, w.s, row + i), acc);
        }
        FloatVector vdot = FloatVector.broadcast(S, VectorMath.sumLanes(acc, w.lanes));
        for (int i = 0; i < end; i += LANES) {
            FloatVector.fromArray(S, w.p, pr + i).mul(FloatVector.fromArray(S, w.s, row + i).sub(vdot))
                    .intoArray(w.d, pr + i);
        }
        Arrays.fill(w.d, pr + end, pr + w.TC, 0f);
        System.arraycopy(w.d, pr, dpreatt, dp, len);
        Arrays.fill(dpreatt, dp + len, dp + T, 0f);
    }

    /** dst rows t (stride 3C from dstO) += alpha * the workspace's product rows, hs channels each. */
    private void addRows(HeadWorkspace w, float alpha, float[] dst, int dstO) {
        int hs = w.hs, stride = 3 * c;
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (int ti = 0; ti < w.T; ti++) {
            int o = ti * w.HN;
            int d = dstO + ti * stride;
            int i = 0;
            for (; i + LANES <= hs; i += LANES) {
                va.fma(FloatVector.fromArray(S, w.o, o + i), FloatVector.fromArray(S, dst, d + i))
                        .intoArray(dst, d + i);
            }
            for (; i < hs; i++) {
                dst[d + i] = Math.fma(alpha, w.o[o + i], dst[d + i]);
            }
        }
    }

    /** dbias[h][t][..] += sum over b of dpreatt[b][h][t][..], b ascending; one task per (h, t). */
    private void biasGradRow(int task, int worker) {
        int T = t, NH = nh;
        int h = task / T, ti = task % T;
        int dst = dbiasO + (h * T + ti) * T;
        int len = ti + 1;
        for (int bi = 0; bi < b; bi++) {
            int src = dpreattO + ((bi * NH + h) * T + ti) * T;
            int i = 0;
            for (; i + LANES <= len; i += LANES) {
                FloatVector.fromArray(S, dbias, dst + i).add(FloatVector.fromArray(S, dpreatt, src + i))
                        .intoArray(dbias, dst + i);
            }
            for (; i < len; i++) {
                dbias[dst + i] += dpreatt[src + i];
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // decoding with a KV cache

    /** kcache, vcache (B,NH,maxT,hs) positions [pos0, pos0 + T) = k, v of qkv (B,T,3C). */
    void kvCacheStore(float[] kcache, int kcacheO, float[] vcache, int vcacheO, float[] qkv, int qkvO,
                      int B, int T, int C, int NH, int maxT, int pos0) {
        this.kcache = kcache;
        this.kcacheO = kcacheO;
        this.vcache = vcache;
        this.vcacheO = vcacheO;
        this.qkv = qkv;
        this.qkvO = qkvO;
        this.b = B;
        this.t = T;
        this.c = C;
        this.nh = NH;
        this.maxT = maxT;
        this.pos = pos0;
        try {
            pool.forEach(B, storeTask);
        } finally {
            release();
        }
    }

    private void storeSequence(int bi, int worker) {
        int T = t, C = c, NH = nh, hs = C / NH;
        for (int ti = 0; ti < T; ti++) {
            int src = qkvO + (bi * T + ti) * 3 * C;
            for (int h = 0; h < NH; h++) {
                int dst = ((bi * NH + h) * maxT + pos + ti) * hs;
                System.arraycopy(qkv, src + C + h * hs, kcache, kcacheO + dst, hs);
                System.arraycopy(qkv, src + 2 * C + h * hs, vcache, vcacheO + dst, hs);
            }
        }
    }

    /** out (B,C) = softmax(q . K[0..pos]^T / sqrt(hs) + bias[h,pos,0..pos]) . V[0..pos], q from qkv (B,3C). */
    void decode(float[] out, int outO, float[] qkv, int qkvO, float[] kcache, int kcacheO, float[] vcache,
                int vcacheO, float[] bias, int biasO, int B, int C, int NH, int maxT, int pos) {
        this.out = out;
        this.outO = outO;
        this.qkv = qkv;
        this.qkvO = qkvO;
        this.kcache = kcache;
        this.kcacheO = kcacheO;
        this.vcache = vcache;
        this.vcacheO = vcacheO;
        this.bias = bias;
        this.biasO = biasO;
        this.b = B;
        this.c = C;
        this.nh = NH;
        this.maxT = maxT;
        this.pos = pos;
        try {
            pool.forEach(B * NH, decodeTask);
        } finally {
            release();
        }
    }

    // Scores of 16 key positions at once (512-bit vectors): v_j = q * k[t0 + j] lane-wise over the head's channels,
    // then a fixed tree of blends, lane swaps and adds turns v_0..v_15 into one vector whose lane j is the full dot
    // product of v_j (sum of its lanes): 15 pair steps instead of 16 horizontal sums. Lane j of the tree's result
    // holds v_{bitreverse(j)}; one last rearrange restores the order.
    private static final VectorMask<Float> HALF8 = VectorMask.fromLong(S, 0xFF00L);
    private static final VectorMask<Float> HALF4 = VectorMask.fromLong(S, 0xF0F0L);
    private static final VectorMask<Float> HALF2 = VectorMask.fromLong(S, 0xCCCCL);
    private static final VectorMask<Float> HALF1 = VectorMask.fromLong(S, 0xAAAAL);
    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(S, i -> i ^ 8);
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(S, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(S, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(S, i -> i ^ 1);
    private static final VectorShuffle<Float> BITREVERSE = VectorShuffle.fromOp(S,
            i -> ((i & 1) << 3) | ((i & 2) << 1) | ((i & 4) >> 1) | ((i & 8) >> 3));

    /**
     * r[t0 + j] = q . k[t0 + j] for j &lt; 16 (unscaled), q at qkv[q..q+hs), keys at kcache[k + j*hs ..]; hs a
     * multiple of 16. Only for 16-lane vectors.
     */
    private static void sixteenScores(float[] qkv, int q, float[] kcache, int k, int hs, float[] r, int t0) {
        FloatVector v0 = FloatVector.zero(S);
        FloatVector v1 = FloatVector.zero(S);
        FloatVector v2 = FloatVector.zero(S);
        FloatVector v3 = FloatVector.zero(S);
        FloatVector v4 = FloatVector.zero(S);
        FloatVector v5 = FloatVector.zero(S);
        FloatVector v6 = FloatVector.zero(S);
        FloatVector v7 = FloatVector.zero(S);
        FloatVector v8 = FloatVector.zero(S);
        FloatVector v9 = FloatVector.zero(S);
        FloatVector v10 = FloatVector.zero(S);
        FloatVector v11 = FloatVector.zero(S);
        FloatVector v12 = FloatVector.zero(S);
        FloatVector v13 = FloatVector.zero(S);
        FloatVector v14 = FloatVector.zero(S);
        FloatVector v15 = FloatVector.zero(S);
        for (int d = 0; d < hs; d += 16) {
            FloatVector qd = FloatVector.fromArray(S, qkv, q + d);
            int kd = k + d;
            v0 = qd.fma(FloatVector.fromArray(S, kcache, kd), v0);
            v1 = qd.fma(FloatVector.fromArray(S, kcache, kd + 1 * hs), v1);
            v2 = qd.fma(FloatVector.fromArray(S, kcache, kd + 2 * hs), v2);
            v3 = qd.fma(FloatVector.fromArray(S, kcache, kd + 3 * hs), v3);
            v4 = qd.fma(FloatVector.fromArray(S, kcache, kd + 4 * hs), v4);
            v5 = qd.fma(FloatVector.fromArray(S, kcache, kd + 5 * hs), v5);
            v6 = qd.fma(FloatVector.fromArray(S, kcache, kd + 6 * hs), v6);
            v7 = qd.fma(FloatVector.fromArray(S, kcache, kd + 7 * hs), v7);
            v8 = qd.fma(FloatVector.fromArray(S, kcache, kd + 8 * hs), v8);
            v9 = qd.fma(FloatVector.fromArray(S, kcache, kd + 9 * hs), v9);
            v10 = qd.fma(FloatVector.fromArray(S, kcache, kd + 10 * hs), v10);
            v11 = qd.fma(FloatVector.fromArray(S, kcache, kd + 11 * hs), v11);
            v12 = qd.fma(FloatVector.fromArray(S, kcache, kd + 12 * hs), v12);
            v13 = qd.fma(FloatVector.fromArray(S, kcache, kd + 13 * hs), v13);
            v14 = qd.fma(FloatVector.fromArray(S, kcache, kd + 14 * hs), v14);
            v15 = qd.fma(FloatVector.fromArray(S, kcache, kd + 15 * hs), v15);
        }
        FloatVector w8_0 = v0.blend(v1, HALF8).add(v1.blend(v0, HALF8).rearrange(SWAP8));
        FloatVector w8_1 = v2.blend(v3, HALF8).add(v3.blend(v2, HALF8).rearrange(SWAP8));
        FloatVector w8_2 = v4.blend(v5, HALF8).add(v5.blend(v4, HALF8).rearrange(SWAP8));
        FloatVector w8_3 = v6.blend(v7, HALF8).add(v7.blend(v6, HALF8).rearrange(SWAP8));
        FloatVector w8_4 = v8.blend(v9, HALF8).add(v9.blend(v8, HALF8).rearrange(SWAP8));
        FloatVector w8_5 = v10.blend(v11, HALF8).add(v11.blend(v10, HALF8).rearrange(SWAP8));
        FloatVector w8_6 = v12.blend(v13, HALF8).add(v13.blend(v12, HALF8).rearrange(SWAP8));
        FloatVector w8_7 = v14.blend(v15, HALF8).add(v15.blend(v14, HALF8).rearrange(SWAP8));
        FloatVector w4_0 = w8_0.blend(w8_1, HALF4).add(w8_1.blend(w8_0, HALF4).rearrange(SWAP4));
        FloatVector w4_1 = w8_2.blend(w8_3, HALF4).add(w8_3.blend(w8_2, HALF4).rearrange(SWAP4));
        FloatVector w4_2 = w8_4.blend(w8_5, HALF4).add(w8_5.blend(w8_4, HALF4).rearrange(SWAP4));
        FloatVector w4_3 = w8_6.blend(w8_7, HALF4).add(w8_7.blend(w8_6, HALF4).rearrange(SWAP4));
        FloatVector w2_0 = w4_0.blend(w4_1, HALF2).add(w4_1.blend(w4_0, HALF2).rearrange(SWAP2));
        FloatVector w2_1 = w4_2.blend(w4_3, HALF2).add(w4_3.blend(w4_2, HALF2).rearrange(SWAP2));
        FloatVector w1_0 = w2_0.blend(w2_1, HALF1).add(w2_1.blend(w2_0, HALF1).rearrange(SWAP1));
        w1_0.rearrange(BITREVERSE).intoArray(r, t0);
    }

    private void decodeHead(int task, int worker) {
        int C = c, NH = nh, hs = C / NH;
        int bi = task / NH, h = task % NH;
        int len = pos + 1;
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] r = rowScratch(worker, padded(len));
        float[] scratch = lanes[worker];
        int q = qkvO + bi * 3 * C + h * hs;
        int cache = ((bi * NH + h) * maxT) * hs;
        int bo = biasO + (h * maxT + pos) * maxT;
        float max = Float.NEGATIVE_INFINITY;
        int t2 = 0;
        if (LANES == 16 && hs % 16 == 0) {
            for (; t2 + 16 <= len; t2 += 16) {
                sixteenScores(qkv, q, kcache, kcacheO + cache + t2 * hs, hs, r, t2);
                for (int j = t2; j < t2 + 16; j++) {
                    float s = r[j] * scale;
                    if (bias != null) {
                        s += bias[bo + j];
                    }
                    r[j] = s;
                    max = Math.max(max, s);
                }
            }
        }
        for (; t2 < len; t2++) {
            int k = kcacheO + cache + t2 * hs;
            FloatVector acc = FloatVector.zero(S);
            int d = 0;
            for (; d + LANES <= hs; d += LANES) {
                acc = FloatVector.fromArray(S, qkv, q + d).fma(FloatVector.fromArray(S, kcache, k + d), acc);
            }
            float s = d > 0 ? VectorMath.sumLanes(acc, scratch) : 0f;
            for (; d < hs; d++) {
                s = Math.fma(qkv[q + d], kcache[k + d], s);
            }
            s *= scale;
            if (bias != null) {
                s += bias[bo + t2];
            }
            r[t2] = s;
            max = Math.max(max, s);
        }
        float inv = 1f / softmaxExp(r, 0, len, max, scratch);
        for (int i = 0; i < len; i++) {
            r[i] *= inv;
        }
        int o = outO + bi * C + h * hs;
        Arrays.fill(out, o, o + hs, 0f);
        weightedRows(r, 0, 1, 0, len, vcache, vcacheO + cache, hs, hs, out, o, 1f);
    }

    private void release() {
        out = preatt = att = qkv = bias = dqkv = dpreatt = datt = dbias = dout = kcache = vcache = null;
    }
}

package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * Causal multi-head attention, fused per (batch, head): scores, softmax and the weighted sum of values for one
 * head happen in one task while its q, k, v (T x hs each) sit in L1/L2. Tasks write disjoint outputs, so workers can
 * take them in any order.
 *
 * <p>Scores for a query row are vectorized over key positions: k is first transposed into a [hs][Tpad] scratch so
 * that row t of q . K^T is hs broadcast-FMAs per 16 keys, with no horizontal sums. The weighted sum over values is
 * vectorized over the head's channels.
 *
 * <p>Layouts: qkv (B,T,3C) with q, k, v of head h at channels h*hs, C + h*hs, 2C + h*hs; preatt, att (B,NH,T,T);
 * out (B,T,C). Entries above the diagonal (t2 &gt; t) of preatt, att, dpreatt and datt are written as 0.
 */
final class Attention {
    private final WorkerPool pool;
    private final float[][] transposed;
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
        transposed = new float[w][0];
        row = new float[w][0];
        lanes = new float[w][LANES];
    }

    private static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    private float[] transposedScratch(int worker, int size) {
        if (transposed[worker].length < size) {
            transposed[worker] = new float[size];
        }
        return transposed[worker];
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
        int Tp = padded(T);
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] kt = transposedScratch(worker, hs * Tp);
        float[] r = rowScratch(worker, Tp);
        float[] scratch = lanes[worker];
        int base = qkvO + bi * T * 3 * C;
        // kt[d][t2] = k[t2][d]
        for (int t2 = 0; t2 < T; t2++) {
            int k = base + t2 * 3 * C + C + h * hs;
            for (int d = 0; d < hs; d++) {
                kt[d * Tp + t2] = qkv[k + d];
            }
        }
        for (int d = 0; d < hs; d++) {
            java.util.Arrays.fill(kt, d * Tp + T, d * Tp + Tp, 0f);
        }
        int head = (bi * NH + h) * T * T;
        for (int ti = 0; ti < T; ti++) {
            int q = base + ti * 3 * C + h * hs;
            int len = ti + 1;
            // r[0..len) = q . k[t2]: blocks of LANES keys at once
            for (int blk = 0; blk < len; blk += LANES) {
                FloatVector acc = FloatVector.zero(S);
                for (int d = 0; d < hs; d++) {
                    acc = FloatVector.broadcast(S, qkv[q + d]).fma(FloatVector.fromArray(S, kt, d * Tp + blk), acc);
                }
                acc.intoArray(r, blk);
            }
            int pre = preattO + head + ti * T;
            int bo = biasO + (h * T + ti) * T;
            float max = Float.NEGATIVE_INFINITY;
            for (int t2 = 0; t2 < len; t2++) {
                float v = r[t2] * scale;
                if (bias != null) {
                    v += bias[bo + t2];
                }
                r[t2] = v;
                preatt[pre + t2] = v;
                max = Math.max(max, v);
            }
            java.util.Arrays.fill(preatt, pre + len, pre + T, 0f);
            float sum = softmaxExp(r, len, max, scratch);
            float inv = 1f / sum;
            int a = attO + head + ti * T;
            for (int t2 = 0; t2 < len; t2++) {
                r[t2] *= inv;
                att[a + t2] = r[t2];
            }
            java.util.Arrays.fill(att, a + len, a + T, 0f);
            // out[t] = sum_t2 att[t2] v[t2]
            int o = outO + (bi * T + ti) * C + h * hs;
            int vBase = base + 2 * C + h * hs;
            weightedRows(r, len, qkv, vBase, 3 * C, hs, out, o, false);
        }
    }

    /** r[i] = exp(r[i] - max) for i &lt; len; returns their sum, in a fixed order. */
    private static float softmaxExp(float[] r, int len, float max, float[] scratch) {
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, r, i).sub(vmax));
            e.intoArray(r, i);
            acc = acc.add(e);
        }
        float sum = VectorMath.sumLanes(acc, scratch);
        for (; i < len; i++) {
            float e = VectorMath.exp(r[i] - max);
            r[i] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * dst[0..hs) (=, or += when accumulate) sum over i &lt; len of w[i] * src[srcBase + i * stride + (0..hs)]:
     * vectorized over the hs channels, i ascending.
     */
    private static void weightedRows(float[] w, int len, float[] src, int srcBase, int stride, int hs, float[] dst,
                                     int dstO, boolean accumulate) {
        int d = 0;
        for (; d + 2 * LANES <= hs; d += 2 * LANES) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            for (int i = 0; i < len; i++) {
                FloatVector wi = FloatVector.broadcast(S, w[i]);
                int s = srcBase + i * stride + d;
                acc0 = wi.fma(FloatVector.fromArray(S, src, s), acc0);
                acc1 = wi.fma(FloatVector.fromArray(S, src, s + LANES), acc1);
            }
            if (accumulate) {
                acc0 = acc0.add(FloatVector.fromArray(S, dst, dstO + d));
                acc1 = acc1.add(FloatVector.fromArray(S, dst, dstO + d + LANES));
            }
            acc0.intoArray(dst, dstO + d);
            acc1.intoArray(dst, dstO + d + LANES);
        }
        for (; d + LANES <= hs; d += LANES) {
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < len; i++) {
                acc = FloatVector.broadcast(S, w[i]).fma(FloatVector.fromArray(S, src, srcBase + i * stride + d), acc);
            }
            if (accumulate) {
                acc = acc.add(FloatVector.fromArray(S, dst, dstO + d));
            }
            acc.intoArray(dst, dstO + d);
        }
        for (; d < hs; d++) {
            float acc = 0f;
            for (int i = 0; i < len; i++) {
                acc = Math.fma(w[i], src[srcBase + i * stride + d], acc);
            }
            dst[dstO + d] = accumulate ? dst[dstO + d] + acc : acc;
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
        int Tp = padded(T);
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] vt = transposedScratch(worker, hs * Tp);
        float[] r = rowScratch(worker, 2 * Tp);
        float[] scratch = lanes[worker];
        int base = qkvO + bi * T * 3 * C;
        int dbase = dqkvO + bi * T * 3 * C;
        for (int t2 = 0; t2 < T; t2++) {
            int v = base + t2 * 3 * C + 2 * C + h * hs;
            for (int d = 0; d < hs; d++) {
                vt[d * Tp + t2] = qkv[v + d];
            }
        }
        for (int d = 0; d < hs; d++) {
            java.util.Arrays.fill(vt, d * Tp + T, d * Tp + Tp, 0f);
        }
        int head = (bi * NH + h) * T * T;
        for (int ti = 0; ti < T; ti++) {
            int len = ti + 1;
            int go = doutO + (bi * T + ti) * C + h * hs;
            int a = attO + head + ti * T;
            // datt[t2] = dout[t] . v[t2]
            for (int blk = 0; blk < len; blk += LANES) {
                FloatVector acc = FloatVector.zero(S);
                for (int d = 0; d < hs; d++) {
                    acc = FloatVector.broadcast(S, dout[go + d]).fma(FloatVector.fromArray(S, vt, d * Tp + blk), acc);
                }
                acc.intoArray(r, blk);
            }
            int da = dattO + head + ti * T;
            System.arraycopy(r, 0, datt, da, len);
            java.util.Arrays.fill(datt, da + len, da + T, 0f);
            // dv[t2] += att[t][t2] * dout[t]
            for (int t2 = 0; t2 < len; t2++) {
                axpy(att[a + t2], dout, go, dqkv, dbase + t2 * 3 * C + 2 * C + h * hs, hs);
            }
            // softmax backward: dpre[t2] = att[t2] (datt[t2] - sum_t3 att[t3] datt[t3])
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (; i + LANES <= len; i += LANES) {
                acc = FloatVector.fromArray(S, att, a + i).fma(FloatVector.fromArray(S, r, i), acc);
            }
            float dot = VectorMath.sumLanes(acc, scratch);
            for (; i < len; i++) {
                dot = Math.fma(att[a + i], r[i], dot);
            }
            int dp = dpreattO + head + ti * T;
            for (int t2 = 0; t2 < len; t2++) {
                float g = att[a + t2] * (r[t2] - dot);
                dpreatt[dp + t2] = g;
                r[Tp + t2] = g * scale;
            }
            java.util.Arrays.fill(dpreatt, dp + len, dp + T, 0f);
            // dq[t] += sum_t2 (scale dpre[t2]) k[t2];  dk[t2] += (scale dpre[t2]) q[t]
            int kBase = base + C + h * hs;
            weightedRows(r, Tp, len, qkv, kBase, 3 * C, hs, dqkv, dbase + ti * 3 * C + h * hs);
            int q = base + ti * 3 * C + h * hs;
            for (int t2 = 0; t2 < len; t2++) {
                axpy(r[Tp + t2], qkv, q, dqkv, dbase + t2 * 3 * C + C + h * hs, hs);
            }
        }
    }

    /** weightedRows with the weights at w[wo..), accumulating. */
    private static void weightedRows(float[] w, int wo, int len, float[] src, int srcBase, int stride, int hs,
                                     float[] dst, int dstO) {
        int d = 0;
        for (; d + LANES <= hs; d += LANES) {
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < len; i++) {
                acc = FloatVector.broadcast(S, w[wo + i]).fma(FloatVector.fromArray(S, src, srcBase + i * stride + d), acc);
            }
            acc.add(FloatVector.fromArray(S, dst, dstO + d)).intoArray(dst, dstO + d);
        }
        for (; d < hs; d++) {
            float acc = 0f;
            for (int i = 0; i < len; i++) {
                acc = Math.fma(w[wo + i], src[srcBase + i * stride + d], acc);
            }
            dst[dstO + d] += acc;
        }
    }

    /** y[yo..yo+n) += alpha * x[xo..xo+n). */
    private static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int d = 0;
        for (; d + LANES <= n; d += LANES) {
            va.fma(FloatVector.fromArray(S, x, xo + d), FloatVector.fromArray(S, y, yo + d)).intoArray(y, yo + d);
        }
        for (; d < n; d++) {
            y[yo + d] = Math.fma(alpha, x[xo + d], y[yo + d]);
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
        for (int t2 = 0; t2 < len; t2++) {
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
        float inv = 1f / softmaxExp(r, len, max, scratch);
        for (int t2 = 0; t2 < len; t2++) {
            r[t2] *= inv;
        }
        weightedRows(r, len, vcache, vcacheO + cache, hs, hs, out, outO + bi * C + h * hs, false);
    }

    private void release() {
        out = preatt = att = qkv = bias = dqkv = dpreatt = datt = dbias = dout = kcache = vcache = null;
    }
}

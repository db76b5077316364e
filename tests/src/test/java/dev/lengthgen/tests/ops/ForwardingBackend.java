package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.Profile;

/** A backend that passes everything to another one; tests override single ops to plant a bug. */
class ForwardingBackend implements Backend {
    protected final Backend inner;

    ForwardingBackend(Backend inner) {
        this.inner = inner;
    }

    @Override public String name() { return "forwarding(" + inner.name() + ")"; }
    @Override public String describe() { return name(); }
    @Override public Memory allocate(DType type, long length, String label) {
        return inner.allocate(type, length, label);
    }
    @Override public void upload(View dst, float[] src) { inner.upload(dst, src); }
    @Override public void upload(View dst, int[] src) { inner.upload(dst, src); }
    @Override public void download(View src, float[] dst) { inner.download(src, dst); }
    @Override public void download(View src, int[] dst) { inner.download(src, dst); }
    @Override public void finish() { inner.finish(); }
    @Override public void beginTask(String name) { inner.beginTask(name); }
    @Override public void endTask(String name) { inner.endTask(name); }
    @Override public void setProfiling(boolean on) { inner.setProfiling(on); }
    @Override public Profile profile() { return inner.profile(); }
    @Override public void resetProfile() { inner.resetProfile(); }
    @Override public long maxAllocationBytes() { return inner.maxAllocationBytes(); }
    @Override public long totalMemoryBytes() { return inner.totalMemoryBytes(); }
    @Override public void close() { inner.close(); }

    @Override public void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        inner.encoderForward(out, tokens, posIds, wte, wpe, N, C);
    }
    @Override public void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        inner.encoderBackward(dwte, dwpe, dout, tokens, posIds, N, C);
    }
    @Override public void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias,
            int N, int C) {
        inner.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
    }
    @Override public void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight,
            View mean, View rstd, int N, int C) {
        inner.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    }
    @Override public void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        inner.matmulForward(out, inp, weight, bias, N, C, OC);
    }
    @Override public void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight,
            int N, int C, int OC) {
        inner.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
    }
    @Override public void attentionForward(View out, View preatt, View att, View qkv, View bias,
            int B, int T, int C, int NH) {
        inner.attentionForward(out, preatt, att, qkv, bias, B, T, C, NH);
    }
    @Override public void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv,
            View att, int B, int T, int C, int NH) {
        inner.attentionBackward(dqkv, dpreatt, datt, dbias, dout, qkv, att, B, T, C, NH);
    }
    @Override public void rotaryForward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH) {
        inner.rotaryForward(out, qkv, posIds, base, B, T, C, NH);
    }
    @Override public void rotaryBackward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH) {
        inner.rotaryBackward(dqkv, dout, posIds, base, B, T, C, NH);
    }
    @Override public void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K) {
        inner.bucketBiasForward(bias, table, buckets, NH, T, K);
    }
    @Override public void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
        inner.bucketBiasBackward(dtable, dbias, buckets, NH, T, K);
    }
    @Override public void geluForward(View out, View inp, int N) { inner.geluForward(out, inp, N); }
    @Override public void geluBackward(View dinp, View inp, View dout, int N) {
        inner.geluBackward(dinp, inp, dout, N);
    }
    @Override public void residualForward(View out, View a, View b, int N) { inner.residualForward(out, a, b, N); }
    @Override public void residualBackward(View da, View db, View dout, int N) {
        inner.residualBackward(da, db, dout, N);
    }
    @Override public void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        inner.dropoutForward(out, inp, p, key, N);
    }
    @Override public void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        inner.dropoutBackward(dinp, dout, p, key, N);
    }
    @Override public void gatherRowsForward(View out, View inp, View rows, int N, int M, int C) {
        inner.gatherRowsForward(out, inp, rows, N, M, C);
    }
    @Override public void gatherRowsBackward(View dinp, View dout, View rows, int N, int M, int C) {
        inner.gatherRowsBackward(dinp, dout, rows, N, M, C);
    }
    @Override public void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask,
            float dlossScale, int N, int V) {
        inner.crossEntropyForward(losses, dlogits, logits, targets, mask, dlossScale, N, V);
    }
    @Override public void sum(View out, View inp, long N) { inner.sum(out, inp, N); }
    @Override public void sumOfSquares(View out, View inp, long N) { inner.sumOfSquares(out, inp, N); }
    @Override public void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr,
            float beta1, float beta2, float eps, float weightDecay, int t, long N) {
        inner.adamw(params, grads, m, v, normSquared, maxNorm, lr, beta1, beta2, eps, weightDecay, t, N);
    }
    @Override public void kvCacheStore(View kcache, View vcache, View qkv,
            int B, int T, int C, int NH, int maxT, int pos0) {
        inner.kvCacheStore(kcache, vcache, qkv, B, T, C, NH, maxT, pos0);
    }
    @Override public void attentionDecode(View out, View qkv, View kcache, View vcache, View bias,
            int B, int C, int NH, int maxT, int pos) {
        inner.attentionDecode(out, qkv, kcache, vcache, bias, B, C, NH, maxT, pos);
    }
    @Override public void argmax(View out, View logits, int N, int V) { inner.argmax(out, logits, N, V); }
    @Override public void zero(View dst) { inner.zero(dst); }
    @Override public void copy(View dst, View src) { inner.copy(dst, src); }
}

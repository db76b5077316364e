package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.OpArguments;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.WallClockProfiling;

import java.util.Arrays;

/**
 * The ground truth: every op as plain single-threaded Java loops, written for obviousness, computing and storing in
 * double precision so that (1) finite-difference gradient checks are meaningful and (2) fp32 backends can be held to
 * fp32 tolerances against it. Values cross the API as fp32 (upload/download round to float).
 */
public final class ReferenceBackend extends WallClockProfiling {

    /**
     * Whether op outputs are rounded to fp32 when stored. Training and parity runs store fp32 (like every device,
     * so a checkpoint, which is fp32, resumes a run bit for bit); finite-difference gradient checks store fp64.
     */
    private final boolean fp32Storage;

    /** Computes in double, stores every op output rounded to fp32. */
    public ReferenceBackend() {
        this(true);
    }

    private ReferenceBackend(boolean fp32Storage) {
        this.fp32Storage = fp32Storage;
    }

    /** Computes and stores in double: for finite-difference gradient checks, where fp32 rounding would be noise. */
    public static ReferenceBackend forGradientChecks() {
        return new ReferenceBackend(false);
    }

    /** Rounds the outputs an op just wrote to fp32 (nulls are skipped). */
    private void storeFp32(View... outputs) {
        if (!fp32Storage) {
            return;
        }
        for (View v : outputs) {
            if (v == null || v.type() != DType.F32) {
                continue;
            }
            double[] d = f(v);
            int from = (int) v.offset(), to = (int) (v.offset() + v.length());
            for (int k = from; k < to; k++) {
                d[k] = (float) d[k];
            }
        }
    }

    /** A reference allocation: double[] for F32 tensors, int[] for I32. */
    public static final class ArrayMemory implements Memory {
        private final DType type;
        private final String label;
        final double[] f;
        final int[] i;

        ArrayMemory(DType type, long length, String label) {
            if (length > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(label + ": " + length
                        + " elements is more than one Java array holds");
            }
            this.type = type;
            this.label = label;
            this.f = type == DType.F32 ? new double[(int) length] : null;
            this.i = type == DType.I32 ? new int[(int) length] : null;
        }

        @Override
        public DType type() {
            return type;
        }

        @Override
        public long length() {
            return type == DType.F32 ? f.length : i.length;
        }

        @Override
        public String label() {
            return label;
        }
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String describe() {
        return fp32Storage ? "reference (plain Java, double-precision arithmetic, fp32 storage, 1 thread)"
                : "reference (plain Java, double precision throughout, 1 thread)";
    }

    @Override
    public Memory allocate(DType type, long length, String label) {
        return new ArrayMemory(type, length, label);
    }

    static double[] f(View v) {
        return ((ArrayMemory) v.memory()).f;
    }

    static int[] i(View v) {
        return ((ArrayMemory) v.memory()).i;
    }

    @Override
    public void upload(View dst, float[] src) {
        dst.require(DType.F32, src.length, "upload");
        double[] d = f(dst);
        int o = (int) dst.offset();
        for (int k = 0; k < src.length; k++) {
            d[o + k] = src[k];
        }
    }

    @Override
    public void upload(View dst, int[] src) {
        dst.require(DType.I32, src.length, "upload");
        System.arraycopy(src, 0, i(dst), (int) dst.offset(), src.length);
    }

    @Override
    public void download(View src, float[] dst) {
        double[] d = f(src);
        int o = (int) src.offset();
        for (int k = 0; k < src.length(); k++) {
            dst[k] = (float) d[o + k];
        }
    }

    @Override
    public void download(View src, int[] dst) {
        System.arraycopy(i(src), (int) src.offset(), dst, 0, (int) src.length());
    }

    /** Double-precision access for gradient checks: the live backing array and the view's offset into it. */
    public static double[] doubles(View v) {
        return f(v);
    }

    @Override
    public void finish() {
    }

    @Override
    public long maxAllocationBytes() {
        return (long) (Integer.MAX_VALUE - 8) * 8;
    }

    @Override
    public long totalMemoryBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    @Override
    public void close() {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Ops: one class per op family in this package; each method states its shapes.
    // ---------------------------------------------------------------------------------------------------------------

    @Override
    public void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        OpArguments.encoderForward(out, tokens, posIds, wte, wpe, N, C);
        EncoderOps.forward(out, tokens, posIds, wte, wpe, N, C);
        storeFp32(out);
    }

    @Override
    public void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        OpArguments.encoderBackward(dwte, dwpe, dout, tokens, posIds, N, C);
        EncoderOps.backward(dwte, dwpe, dout, tokens, posIds, N, C);
        storeFp32(dwte, dwpe);
    }

    @Override
    public void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) {
        OpArguments.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
        LayernormOps.forward(out, mean, rstd, inp, weight, bias, N, C);
        storeFp32(out, mean, rstd);
    }

    @Override
    public void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean,
                                  View rstd, int N, int C) {
        OpArguments.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        LayernormOps.backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        storeFp32(dinp, dweight, dbias);
    }

    @Override
    public void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        OpArguments.matmulForward(out, inp, weight, bias, N, C, OC);
        MatmulOps.forward(out, inp, weight, bias, N, C, OC);
        storeFp32(out);
    }

    @Override
    public void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C,
                               int OC) {
        OpArguments.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
        MatmulOps.backward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
        storeFp32(dinp, dweight, dbias);
    }

    @Override
    public void attentionForward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) {
        OpArguments.attentionForward(out, preatt, att, qkv, bias, B, T, C, NH);
        AttentionOps.forward(out, preatt, att, qkv, bias, B, T, C, NH);
        storeFp32(out, preatt, att);
    }

    @Override
    public void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att,
                                  int B, int T, int C, int NH) {
        OpArguments.attentionBackward(dqkv, dpreatt, datt, dbias, dout, qkv, att, B, T, C, NH);
        AttentionOps.backward(dqkv, dpreatt, datt, dbias, dout, qkv, att, B, T, C, NH);
        storeFp32(dqkv, dpreatt, datt, dbias);
    }

    @Override
    public void rotaryForward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH) {
        OpArguments.rotaryForward(out, qkv, posIds, base, B, T, C, NH);
        RotaryOps.forward(out, qkv, posIds, base, B, T, C, NH);
        storeFp32(out);
    }

    @Override
    public void rotaryBackward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH) {
        OpArguments.rotaryBackward(dqkv, dout, posIds, base, B, T, C, NH);
        RotaryOps.backward(dqkv, dout, posIds, base, B, T, C, NH);
        storeFp32(dqkv);
    }

    @Override
    public void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K) {
        OpArguments.bucketBiasForward(bias, table, buckets, NH, T, K);
        BucketBiasOps.forward(bias, table, buckets, NH, T, K);
        storeFp32(bias);
    }

    @Override
    public void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
        OpArguments.bucketBiasBackward(dtable, dbias, buckets, NH, T, K);
        BucketBiasOps.backward(dtable, dbias, buckets, NH, T, K);
        storeFp32(dtable);
    }

    @Override
    public void geluForward(View out, View inp, int N) {
        OpArguments.geluForward(out, inp, N);
        ElementwiseOps.geluForward(out, inp, N);
        storeFp32(out);
    }

    @Override
    public void geluBackward(View dinp, View inp, View dout, int N) {
        OpArguments.geluBackward(dinp, inp, dout, N);
        ElementwiseOps.geluBackward(dinp, inp, dout, N);
        storeFp32(dinp);
    }

    @Override
    public void residualForward(View out, View a, View b, int N) {
        OpArguments.residualForward(out, a, b, N);
        ElementwiseOps.residualForward(out, a, b, N);
        storeFp32(out);
    }

    @Override
    public void residualBackward(View da, View db, View dout, int N) {
        OpArguments.residualBackward(da, db, dout, N);
        ElementwiseOps.residualBackward(da, db, dout, N);
        storeFp32(da, db);
    }

    @Override
    public void gatherRowsForward(View out, View inp, View rows, int N, int M, int C) {
        RowOps.forward(out, inp, rows, N, M, C);
        storeFp32(out);
    }

    @Override
    public void gatherRowsBackward(View dinp, View dout, View rows, int N, int M, int C) {
        RowOps.backward(dinp, dout, rows, N, M, C);
        storeFp32(dinp);
    }

    @Override
    public void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        OpArguments.dropoutForward(out, inp, p, key, N);
        ElementwiseOps.dropoutForward(out, inp, p, key, N);
        storeFp32(out);
    }

    @Override
    public void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        OpArguments.dropoutBackward(dinp, dout, p, key, N);
        ElementwiseOps.dropoutBackward(dinp, dout, p, key, N);
        storeFp32(dinp);
    }

    @Override
    public void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask, float dlossScale,
                                    int N, int V) {
        OpArguments.crossEntropyForward(losses, dlogits, logits, targets, mask, dlossScale, N, V);
        LossOps.crossEntropyForward(losses, dlogits, logits, targets, mask, dlossScale, N, V);
        storeFp32(losses, dlogits);
    }

    @Override
    public void sum(View out, View inp, long N) {
        OpArguments.sum(out, inp, N);
        ReductionOps.sum(out, inp, N);
        storeFp32(out);
    }

    @Override
    public void sumOfSquares(View out, View inp, long N) {
        OpArguments.sumOfSquares(out, inp, N);
        ReductionOps.sumOfSquares(out, inp, N);
        storeFp32(out);
    }

    @Override
    public void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr, float beta1,
                      float beta2, float eps, float weightDecay, int t, long N) {
        OpArguments.adamw(params, grads, m, v, normSquared, maxNorm, t, N);
        OptimizerOps.adamw(params, grads, m, v, normSquared, maxNorm, lr, beta1, beta2, eps, weightDecay, t, N);
        storeFp32(params, m, v);
    }

    @Override
    public void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0) {
        OpArguments.kvCacheStore(kcache, vcache, qkv, B, T, C, NH, maxT, pos0);
        DecodeOps.kvCacheStore(kcache, vcache, qkv, B, T, C, NH, maxT, pos0);
    }

    @Override
    public void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH,
                                int maxT, int pos) {
        OpArguments.attentionDecode(out, qkv, kcache, vcache, bias, B, C, NH, maxT, pos);
        DecodeOps.attentionDecode(out, qkv, kcache, vcache, bias, B, C, NH, maxT, pos);
        storeFp32(out);
    }

    @Override
    public void argmax(View out, View logits, int N, int V) {
        OpArguments.argmax(out, logits, N, V);
        DecodeOps.argmax(out, logits, N, V);
    }

    /** dst written = 0, F32 or I32. */
    @Override
    public void zero(View dst) {
        OpArguments.zero(dst);
        int o = (int) dst.offset(), n = (int) dst.length();
        if (dst.type() == DType.F32) {
            Arrays.fill(f(dst), o, o + n, 0.0);
        } else {
            Arrays.fill(i(dst), o, o + n, 0);
        }
    }

    /** dst written = src, same type and length. */
    @Override
    public void copy(View dst, View src) {
        OpArguments.copy(dst, src);
        if (dst.type() == DType.F32) {
            System.arraycopy(f(src), (int) src.offset(), f(dst), (int) dst.offset(), (int) dst.length());
        } else {
            System.arraycopy(i(src), (int) src.offset(), i(dst), (int) dst.offset(), (int) dst.length());
        }
    }
}

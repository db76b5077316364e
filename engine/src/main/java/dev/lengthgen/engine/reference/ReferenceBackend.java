package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.WallClockProfiling;

/**
 * The ground truth: every op as plain single-threaded Java loops, written for obviousness, computing and storing in
 * double precision so that (1) finite-difference gradient checks are meaningful and (2) fp32 backends can be held to
 * fp32 tolerances against it. Values cross the API as fp32 (upload/download round to float).
 */
public final class ReferenceBackend extends WallClockProfiling {

    /** A reference allocation: double[] for F32 tensors, int[] for I32. */
    public static final class ArrayMemory implements Memory {
        private final DType type;
        private final String label;
        final double[] f;
        final int[] i;

        ArrayMemory(DType type, long length, String label) {
            if (length > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(label + ": " + length + " elements is more than one Java array holds");
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
        return "reference (plain Java, double precision, 1 thread)";
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
    // Ops. TODO(reference ops): every op of dev.lengthgen.engine.Ops.
    // ---------------------------------------------------------------------------------------------------------------

    private static UnsupportedOperationException todo() {
        return new UnsupportedOperationException("not implemented yet");
    }

    @Override public void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) { throw todo(); }
    @Override public void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) { throw todo(); }
    @Override public void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) { throw todo(); }
    @Override public void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean, View rstd, int N, int C) { throw todo(); }
    @Override public void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC) { throw todo(); }
    @Override public void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C, int OC) { throw todo(); }
    @Override public void attentionForward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) { throw todo(); }
    @Override public void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att, int B, int T, int C, int NH) { throw todo(); }
    @Override public void geluForward(View out, View inp, int N) { throw todo(); }
    @Override public void geluBackward(View dinp, View inp, View dout, int N) { throw todo(); }
    @Override public void residualForward(View out, View a, View b, int N) { throw todo(); }
    @Override public void residualBackward(View da, View db, View dout, int N) { throw todo(); }
    @Override public void dropoutForward(View out, View inp, float p, DropoutKey key, int N) { throw todo(); }
    @Override public void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) { throw todo(); }
    @Override public void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask, float dlossScale, int N, int V) { throw todo(); }
    @Override public void sum(View out, View inp, long N) { throw todo(); }
    @Override public void sumOfSquares(View out, View inp, long N) { throw todo(); }
    @Override public void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr, float beta1, float beta2, float eps, float weightDecay, int t, long N) { throw todo(); }
    @Override public void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0) { throw todo(); }
    @Override public void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH, int maxT, int pos) { throw todo(); }
    @Override public void argmax(View out, View logits, int N, int V) { throw todo(); }
    @Override public void zero(View dst) { throw todo(); }
    @Override public void copy(View dst, View src) { throw todo(); }
}

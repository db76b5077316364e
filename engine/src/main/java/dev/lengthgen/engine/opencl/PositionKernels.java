package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * Launches position.cl: rotary q/k (elementwise, both variants) and the bucket bias, whose table gradient is a
 * scatter-add done without atomics in the variant chosen once per backend: a work-group per table entry reducing in
 * local memory (GPU), or per-row partials added in row order (CPU).
 */
abstract class PositionKernels {
    final KernelLauncher launcher;

    private PositionKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    static PositionKernels of(KernelVariant variant, KernelLauncher launcher) {
        return variant == KernelVariant.GPU ? new Group(launcher) : new Row(launcher);
    }

    /** out written = rotated qkv ({@code backward}: dqkv += R^T dout); N = B * T tokens. */
    void rotary(boolean backward, View dst, View src, View posIds, float base, int N, int C, int NH) {
        KernelLauncher.intSize((long) N * 3 * C, backward ? "rotaryBackward dqkv" : "rotaryForward qkv");
        int half = C / NH / 2;
        launcher.call(backward ? Kernel.ROTARY_BACKWARD : Kernel.ROTARY_FORWARD).view(dst).view(src).view(posIds)
                .buffer(frequencies(base, half)).intArg(N).intArg(C).intArg(NH).runElementwise((long) N * half);
    }

    /**
     * base^(-2i/hs) for i in [0, half), hs = 2 half, each as a pair of floats (hi, lo) whose sum is the double value
     * (position.cl needs the extra precision for large positions); uploaded once per (base, head size).
     */
    private cl_mem frequencies(float base, int half) {
        return launcher.table("rotary " + base + "/" + half, () -> {
            float[] f = new float[2 * half];
            for (int i = 0; i < half; i++) {
                double x = StrictMath.pow(base, -2.0 * i / (2 * half));
                f[2 * i] = (float) x;
                f[2 * i + 1] = (float) (x - f[2 * i]);
            }
            return f;
        });
    }

    void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K) {
        int entries = KernelLauncher.intSize((long) NH * T * T, "bucketBiasForward bias");
        launcher.call(Kernel.BUCKET_BIAS_FORWARD).view(bias).view(table).view(buckets).intArg(NH).intArg(T).intArg(K)
                .runElementwise(entries);
    }

    /** dtable (NH,K) += the sums of dbias per bucket. Bucket ids outside [0, K) are skipped (position.cl). */
    abstract void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K);

    /** GPU variant: a work-group per (h, k). */
    private static final class Group extends PositionKernels {
        Group(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
            KernelLauncher.intSize((long) NH * T * T, "bucketBiasBackward dbias");
            KernelCall k = launcher.call(Kernel.BUCKET_BIAS_BACKWARD_GROUP);
            int l = k.reductionGroup((long) T * (T + 1) / 2);
            k.view(dtable).view(dbias).view(buckets).intArg(NH).intArg(T).intArg(K).localFloats(l)
                    .runGroups((long) NH * K, l);
        }
    }

    /** CPU variant: partials per (h, query row), then their sum per (h, k) in row order. */
    private static final class Row extends PositionKernels {
        Row(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
            KernelLauncher.intSize((long) NH * T * T, "bucketBiasBackward dbias");
            KernelLauncher.intSize((long) NH * T * K, "bucketBiasBackward partials");
            cl_mem partials = launcher.scratch("bucketBias.partials", (long) NH * T * K * Sizeof.cl_float);
            launcher.call(Kernel.BUCKET_BIAS_ROW_PARTIALS).buffer(partials).view(dbias).view(buckets).intArg(NH)
                    .intArg(T).intArg(K).runRows((long) NH * T);
            launcher.call(Kernel.BUCKET_BIAS_PARTIALS_ACCUMULATE).view(dtable).buffer(partials).intArg(NH).intArg(T)
                    .intArg(K).runRows((long) NH * K);
        }
    }
}

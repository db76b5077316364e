package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;

/**
 * Launches attention.cl, in the variant chosen once per backend. GPU: the row-wise work (scores, softmax and its
 * backward) as a work-group per (b, h, t) row reducing in local memory, the gradient sums over positions as one
 * work-item per output element. CPU: one work-item per row holding a head in vector registers, from a build for the
 * model's head size.
 */
abstract class AttentionKernels {
    final KernelLauncher launcher;

    private AttentionKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    static AttentionKernels of(KernelVariant variant, KernelLauncher launcher) {
        return variant == KernelVariant.GPU ? new Group(launcher) : new Row(launcher);
    }

    abstract void forward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH);

    /** dqkv +=, dpreatt and datt written; the bias gradient is added by the caller's {@link #backward}. */
    abstract void backwardInputs(View dqkv, View dpreatt, View datt, View dout, View qkv, View att, int B, int T,
                                 int C, int NH);

    /** A kernel both variants use, from the build this variant has built anyway. */
    abstract KernelCall shared(Kernel kernel, int headSize);

    void backward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att, int B, int T,
                  int C, int NH) {
        backwardInputs(dqkv, dpreatt, datt, dout, qkv, att, B, T, C, NH);
        if (dbias != null) {
            shared(Kernel.ATTENTION_BACKWARD_BIAS, C / NH).view(dbias).view(dpreatt).intArg(B).intArg(T).intArg(NH)
                    .runElementwise((long) NH * T * T);
        }
    }

    static int rows(int B, int T, int NH) {
        return KernelLauncher.intSize((long) B * NH * T, "attention rows");
    }

    /** GPU variant. */
    private static final class Group extends AttentionKernels {
        Group(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        KernelCall shared(Kernel kernel, int headSize) {
            return launcher.call(kernel);
        }

        @Override
        void forward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) {
            KernelCall k = launcher.call(Kernel.ATTENTION_FORWARD_GROUP);
            int l = k.reductionGroup(Math.max(T, C / NH));
            k.view(out).view(preatt).view(att).view(qkv).view(bias).flag(bias != null).intArg(T).intArg(C)
                    .intArg(NH).localFloats(l).runGroups(rows(B, T, NH), l);
        }

        @Override
        void backwardInputs(View dqkv, View dpreatt, View datt, View dout, View qkv, View att, int B, int T, int C,
                            int NH) {
            int rows = rows(B, T, NH);
            KernelCall k = launcher.call(Kernel.ATTENTION_BACKWARD_SOFTMAX_GROUP);
            int l = k.reductionGroup(T);
            k.view(dpreatt).view(datt).view(dout).view(qkv).view(att).intArg(T).intArg(C).intArg(NH).localFloats(l)
                    .runGroups(rows, l);
            long items = (long) rows * (C / NH);
            launcher.call(Kernel.ATTENTION_BACKWARD_DQ).view(dqkv).view(dpreatt).view(qkv).intArg(T).intArg(C)
                    .intArg(NH).intArg(rows).runElementwise(items);
            launcher.call(Kernel.ATTENTION_BACKWARD_DKV).view(dqkv).view(dpreatt).view(att).view(dout).view(qkv)
                    .intArg(T).intArg(C).intArg(NH).intArg(rows).runElementwise(items);
        }
    }

    /** CPU variant: kernels built for the head size. */
    private static final class Row extends AttentionKernels {
        Row(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        KernelCall shared(Kernel kernel, int headSize) {
            return launcher.call(kernel, headSize);
        }

        @Override
        void forward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) {
            int rows = rows(B, T, NH);
            launcher.call(Kernel.ATTENTION_FORWARD_ROW, C / NH).view(out).view(preatt).view(att).view(qkv)
                    .view(bias).flag(bias != null).intArg(T).intArg(C).intArg(NH).intArg(rows).runRows(rows);
        }

        @Override
        void backwardInputs(View dqkv, View dpreatt, View datt, View dout, View qkv, View att, int B, int T, int C,
                            int NH) {
            int rows = rows(B, T, NH);
            int hs = C / NH;
            launcher.call(Kernel.ATTENTION_BACKWARD_SOFTMAX_ROW, hs).view(dpreatt).view(datt).view(dout).view(qkv)
                    .view(att).intArg(T).intArg(C).intArg(NH).intArg(rows).runRows(rows);
            launcher.call(Kernel.ATTENTION_BACKWARD_DQ_ROW, hs).view(dqkv).view(dpreatt).view(qkv).intArg(T)
                    .intArg(C).intArg(NH).intArg(rows).runRows(rows);
            launcher.call(Kernel.ATTENTION_BACKWARD_DKV_ROW, hs).view(dqkv).view(dpreatt).view(att).view(dout)
                    .view(qkv).intArg(T).intArg(C).intArg(NH).intArg(rows).runRows(rows);
        }
    }
}

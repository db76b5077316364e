package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * Launches loss.cl: the fused softmax + masked cross-entropy, greedy argmax, and the sums behind the loss total and
 * the gradient norm. Cross-entropy and the sums come in the variant chosen once per backend: a work-group per row or
 * chunk reducing in local memory (GPU), or a work-item per row or chunk (CPU). A sum runs over fixed chunks of
 * {@link KernelBuildOptions#REDUCE_CHUNK} elements and then over the chunks in order, so its order never varies.
 */
abstract class LossKernels {
    final KernelLauncher launcher;

    private LossKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    static LossKernels of(KernelVariant variant, KernelLauncher launcher) {
        return variant == KernelVariant.GPU ? new Group(launcher) : new Row(launcher);
    }

    abstract void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask,
                                      float dlossScale, int N, int V);

    /** out (1) = the sum of inp (N), of its squares when {@code square}; partials (chunks) is scratch. */
    abstract void reduce(View out, View inp, long N, boolean square, cl_mem partials, int chunks);

    void sum(View out, View inp, long N, boolean square) {
        int chunks = KernelLauncher.intSize(Math.max(1, (N + KernelBuildOptions.REDUCE_CHUNK - 1)
                / KernelBuildOptions.REDUCE_CHUNK), "sum chunks");
        reduce(out, inp, N, square, launcher.scratch("reduce", (long) chunks * Sizeof.cl_float), chunks);
    }

    /** Rows are short (a character vocabulary), so one work-item per row suits both device types. */
    void argmax(View out, View logits, int N, int V) {
        launcher.call(Kernel.ARGMAX_ROWS).view(out).view(logits).intArg(N).intArg(V).runRows(N);
    }

    /** GPU variant. */
    private static final class Group extends LossKernels {
        Group(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask, float dlossScale,
                                 int N, int V) {
            KernelCall k = launcher.call(Kernel.CROSSENTROPY_FORWARD_GROUP);
            int l = k.reductionGroup(V);
            k.view(losses).view(dlogits).flag(dlogits != null).view(logits).view(targets).view(mask)
                    .floatArg(dlossScale).intArg(V).localFloats(l).runGroups(N, l);
        }

        @Override
        void reduce(View out, View inp, long N, boolean square, cl_mem partials, int chunks) {
            KernelCall first = launcher.call(Kernel.REDUCE_PARTIALS_GROUP);
            KernelCall last = launcher.call(Kernel.REDUCE_FINAL_GROUP);
            // one size for both stages: the widest group either kernel allows, up to the maximum
            int l = Math.min(first.reductionGroup(KernelLauncher.MAX_REDUCTION_GROUP),
                    last.reductionGroup(KernelLauncher.MAX_REDUCTION_GROUP));
            first.buffer(partials).view(inp).longArg(N).flag(square).localFloats(l).runGroups(chunks, l);
            last.view(out).buffer(partials).intArg(chunks).localFloats(l).runGroups(1, l);
        }
    }

    /** CPU variant. */
    private static final class Row extends LossKernels {
        Row(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask, float dlossScale,
                                 int N, int V) {
            launcher.call(Kernel.CROSSENTROPY_FORWARD_ROW).view(losses).view(dlogits).flag(dlogits != null)
                    .view(logits).view(targets).view(mask).floatArg(dlossScale).intArg(V).intArg(N).runRows(N);
        }

        @Override
        void reduce(View out, View inp, long N, boolean square, cl_mem partials, int chunks) {
            launcher.call(Kernel.REDUCE_PARTIALS_ROW).buffer(partials).view(inp).longArg(N).flag(square)
                    .intArg(chunks).runRows(chunks);
            launcher.call(Kernel.REDUCE_FINAL_ROW).view(out).buffer(partials).intArg(chunks)
                    .run(new long[] {1}, new long[] {1});
        }
    }
}

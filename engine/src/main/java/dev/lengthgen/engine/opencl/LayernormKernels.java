package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * Launches layernorm.cl. The row kernels come in two variants, chosen once per backend: a work-group per row
 * reducing in local memory (GPU) or a work-item per row (CPU). The parameter gradients are column sums, in fixed
 * chunks of rows for both.
 */
abstract class LayernormKernels {
    final KernelLauncher launcher;
    private final CommonKernels common;

    private LayernormKernels(KernelLauncher launcher, CommonKernels common) {
        this.launcher = launcher;
        this.common = common;
    }

    static LayernormKernels of(KernelVariant variant, KernelLauncher launcher, CommonKernels common) {
        return variant == KernelVariant.GPU ? new Group(launcher, common) : new Row(launcher, common);
    }

    abstract void forward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C);

    /** dinp (N,C) += the input gradient. */
    abstract void backwardInput(View dinp, View dout, View inp, View weight, View mean, View rstd, int N, int C);

    void backward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean, View rstd, int N,
                  int C) {
        if (N == 0) {
            return;
        }
        backwardInput(dinp, dout, inp, weight, mean, rstd, N, C);
        int chunks = (N + KernelBuildOptions.COLSUM_ROWS - 1) / KernelBuildOptions.COLSUM_ROWS;
        cl_mem partials = launcher.scratch("colsum", 2L * chunks * C * Sizeof.cl_float);
        launcher.call(Kernel.LAYERNORM_PARAM_PARTIALS).buffer(partials).view(dout).view(inp).view(mean).view(rstd)
                .intArg(N).intArg(C).intArg(chunks).runColumns(C, chunks, 64);
        common.columnAccumulate(dweight, partials, 0, chunks, C);
        if (dbias != null) {
            common.columnAccumulate(dbias, partials, (long) chunks * C, chunks, C);
        }
    }

    /** GPU variant: one work-group per row. */
    private static final class Group extends LayernormKernels {
        Group(KernelLauncher launcher, CommonKernels common) {
            super(launcher, common);
        }

        @Override
        void forward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) {
            KernelCall k = launcher.call(Kernel.LAYERNORM_FORWARD_GROUP);
            int l = k.reductionGroup(C);
            k.view(out).view(mean).view(rstd).view(inp).view(weight).view(bias).flag(bias != null).intArg(C)
                    .localFloats(l).runGroups(N, l);
        }

        @Override
        void backwardInput(View dinp, View dout, View inp, View weight, View mean, View rstd, int N, int C) {
            KernelCall k = launcher.call(Kernel.LAYERNORM_BACKWARD_INPUT_GROUP);
            int l = k.reductionGroup(C);
            k.view(dinp).view(dout).view(inp).view(weight).view(mean).view(rstd).intArg(C).localFloats(l)
                    .runGroups(N, l);
        }
    }

    /** CPU variant: one work-item per row. */
    private static final class Row extends LayernormKernels {
        Row(KernelLauncher launcher, CommonKernels common) {
            super(launcher, common);
        }

        @Override
        void forward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) {
            launcher.call(Kernel.LAYERNORM_FORWARD_ROW).view(out).view(mean).view(rstd).view(inp).view(weight)
                    .view(bias).flag(bias != null).intArg(C).intArg(N).runRows(N);
        }

        @Override
        void backwardInput(View dinp, View dout, View inp, View weight, View mean, View rstd, int N, int C) {
            launcher.call(Kernel.LAYERNORM_BACKWARD_INPUT_ROW).view(dinp).view(dout).view(inp).view(weight)
                    .view(mean).view(rstd).intArg(C).intArg(N).runRows(N);
        }
    }
}

package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.cl_mem;

/** Launches the kernel of common.cl: the second stage of the deterministic column sums of layernorm and matmul. */
final class CommonKernels {
    private final KernelLauncher launcher;

    CommonKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    /** dst (cols) += the sum over chunks of partials (chunks, cols) read from {@code partialsOffset}, chunk 0 first. */
    void columnAccumulate(View dst, cl_mem partials, long partialsOffset, int chunks, int cols) {
        launcher.call(Kernel.COLUMN_PARTIALS_ACCUMULATE).view(dst).buffer(partials).longArg(partialsOffset)
                .intArg(chunks).intArg(cols).runFlat(cols, 64);
    }
}

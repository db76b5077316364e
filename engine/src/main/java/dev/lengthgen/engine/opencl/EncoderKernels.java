package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * Launches encoder.cl: the embedding lookup, and its backward pass as a counting sort of rows by id followed by a
 * per-(id, channel) sum in row order. One shape serves GPUs and CPU devices alike.
 */
final class EncoderKernels {
    private final KernelLauncher launcher;

    EncoderKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void forward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        launcher.call(Kernel.ENCODER_FORWARD).view(out).view(tokens).view(wpe == null ? null : posIds).view(wte)
                .view(wpe).flag(wpe != null).intArg(N).intArg(C).runColumns(C, N, 64);
    }

    void backward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        embeddingBackward(dwte, dout, tokens, N, C);
        if (dwpe != null) {
            embeddingBackward(dwpe, dout, posIds, N, C);
        }
    }

    /** dw (rows,C) += dout rows bucketed by ids (see encoder.cl). */
    private void embeddingBackward(View dw, View dout, View ids, int N, int C) {
        int rows = KernelLauncher.intSize(dw.length() / C, "embedding rows");
        cl_mem order = launcher.scratch("bucket.order", (long) N * Sizeof.cl_int);
        cl_mem range = launcher.scratch("bucket.range", 2L * rows * Sizeof.cl_int);
        launcher.call(Kernel.ENCODER_BUCKET).buffer(order).buffer(range).view(ids).intArg(N).intArg(rows)
                .runFlat(rows, 64);
        launcher.call(Kernel.ENCODER_BUCKET_ACCUMULATE).view(dw).view(dout).buffer(order).buffer(range).intArg(C)
                .intArg(rows).runColumns(C, rows, 64);
    }
}

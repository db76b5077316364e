package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.View;
import org.jocl.cl_mem;

/**
 * Launches elementwise.cl. GELU and dropout come in two variants, chosen once per backend: one element per
 * work-item (GPU), or sixteen per work-item as explicit float16 vectors (CPU; "_vec" kernels). Residual add, row
 * gathering, copy and fill are one element per work-item on every device; the backend fills and copies buffers with
 * the last two.
 */
abstract class ElementwiseKernels {
    final KernelLauncher launcher;

    private ElementwiseKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    static ElementwiseKernels of(KernelVariant variant, KernelLauncher launcher) {
        return variant == KernelVariant.GPU ? new PerElement(launcher) : new Vectors(launcher);
    }

    /** A launch of a kernel with a GPU form and a "_vec" CPU form: the form of this variant. */
    abstract KernelCall call(Kernel gpu, Kernel cpu);

    /** Runs such a kernel over n elements. */
    abstract void run(KernelCall call, long n);

    void geluForward(View out, View inp, int N) {
        run(call(Kernel.GELU_FORWARD, Kernel.GELU_FORWARD_VEC).view(out).view(inp).intArg(N), N);
    }

    void geluBackward(View dinp, View inp, View dout, int N) {
        run(call(Kernel.GELU_BACKWARD, Kernel.GELU_BACKWARD_VEC).view(dinp).view(inp).view(dout).intArg(N), N);
    }

    void residualForward(View out, View a, View b, int N) {
        launcher.call(Kernel.RESIDUAL_FORWARD).view(out).view(a).view(b).intArg(N).runElementwise(N);
    }

    void residualBackward(View da, View db, View dout, int N) {
        launcher.call(Kernel.RESIDUAL_BACKWARD).view(da).view(db).view(dout).intArg(N).runElementwise(N);
    }

    /** out (M,C) = inp rows {@code rows}; nothing is launched for no rows. */
    void gatherRowsForward(View out, View inp, View rows, int N, int M, int C) {
        if (M > 0) {
            launcher.call(Kernel.GATHER_ROWS_FORWARD).view(out).view(inp).view(rows).intArg(N).intArg(M).intArg(C)
                    .runColumns(C, M, 64);
        }
    }

    /** dinp rows {@code rows} += dout (M,C); the rows are distinct, so no two work-items add to one element. */
    void gatherRowsBackward(View dinp, View dout, View rows, int N, int M, int C) {
        if (M > 0) {
            launcher.call(Kernel.GATHER_ROWS_BACKWARD).view(dinp).view(dout).view(rows).intArg(N).intArg(M).intArg(C)
                    .runColumns(C, M, 64);
        }
    }

    void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        dropout(call(Kernel.DROPOUT_FORWARD, Kernel.DROPOUT_FORWARD_VEC), out, inp, p, key, N);
    }

    void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        dropout(call(Kernel.DROPOUT_BACKWARD, Kernel.DROPOUT_BACKWARD_VEC), dinp, dout, p, key, N);
    }

    private void dropout(KernelCall call, View dst, View src, float p, DropoutKey key, int N) {
        float scale = p > 0f ? (float) (1.0 / (1.0 - p)) : 1f;
        run(call.view(dst).view(src).floatArg(p).floatArg(scale).intArg(key.tensor()).intArg((int) key.step())
                .intArg((int) (key.step() >>> 32)).intArg((int) key.seed()).intArg((int) (key.seed() >>> 32))
                .intArg(N), N);
    }

    /** dst written = src, 32-bit words (F32 and I32 alike). */
    void copy(View dst, View src) {
        if (dst.length() > 0) {
            launcher.call(Kernel.COPY_WORDS).view(dst).view(src).longArg(dst.length()).runElementwise(dst.length());
        }
    }

    /** words 32-bit words of dst from element {@code offset} written = the bits {@code value}. */
    void fill(cl_mem dst, long offset, long words, int value) {
        if (words > 0) {
            launcher.call(Kernel.FILL_WORDS).buffer(dst).longArg(offset).intArg(value).longArg(words)
                    .runElementwise(words);
        }
    }

    /** words 32-bit words copied from src at srcOffset to dst at dstOffset. */
    void copyWords(cl_mem dst, long dstOffset, cl_mem src, long srcOffset, long words) {
        if (words > 0) {
            launcher.call(Kernel.COPY_WORDS).buffer(dst).longArg(dstOffset).buffer(src).longArg(srcOffset)
                    .longArg(words).runElementwise(words);
        }
    }

    /** GPU variant: one element per work-item. */
    private static final class PerElement extends ElementwiseKernels {
        PerElement(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        KernelCall call(Kernel gpu, Kernel cpu) {
            return launcher.call(gpu);
        }

        @Override
        void run(KernelCall call, long n) {
            call.runElementwise(n);
        }
    }

    /** CPU variant: sixteen elements per work-item. */
    private static final class Vectors extends ElementwiseKernels {
        Vectors(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        KernelCall call(Kernel gpu, Kernel cpu) {
            return launcher.call(cpu);
        }

        @Override
        void run(KernelCall call, long n) {
            call.runRows((n + 15) / 16);
        }
    }
}

package dev.lengthgen.engine.opencl;

import java.util.Locale;

/**
 * Which shape of kernel an op uses. GPUs want work-groups cooperating through local memory (tiled GEMM, tree
 * reductions); a CPU OpenCL device such as PoCL runs those ~10x slower than kernels where one work-item walks a row
 * or row block with explicit vectors. Both variants compute the same thing and pass the same tests.
 */
public enum KernelVariant {
    /** Work-group tiling and local-memory reductions ("_tiled", "_group" kernels). */
    GPU,
    /** One row or row block per work-item with explicit float vectors ("_rowblock", "_row" kernels). */
    CPU;

    /** System property that forces a variant ("gpu" or "cpu"), e.g. to test the GPU kernels on a CPU device. */
    public static final String PROPERTY = "lengthgen.opencl.kernels";

    /** The variant for a device type: CPU for CPU devices, GPU for everything else. */
    public static KernelVariant forDevice(OpenClDevice.Type type) {
        return type == OpenClDevice.Type.CPU ? CPU : GPU;
    }

    /** The variant forced by {@link #PROPERTY}, else the one for the device type. */
    public static KernelVariant choose(OpenClDevice.Type type) {
        String forced = System.getProperty(PROPERTY);
        if (forced == null || forced.isBlank()) {
            return forDevice(type);
        }
        try {
            return valueOf(forced.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced + ": use gpu or cpu", e);
        }
    }
}

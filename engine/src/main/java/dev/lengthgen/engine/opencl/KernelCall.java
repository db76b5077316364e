package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * One kernel launch: its arguments, set in the kernel's parameter order, then its geometry. A {@link View} is two
 * parameters (the buffer and the element offset, "x, x_off"); a missing (null) view passes a placeholder buffer that
 * the kernel never reads. Every argument is set on every call, as a conforming device requires.
 */
final class KernelCall {
    private final KernelLauncher launcher;
    private final KernelLibrary.Built kernel;
    private int index;
    /** Bytes of the __local arguments set so far. */
    private long localBytes;

    KernelCall(KernelLauncher launcher, KernelLibrary.Built kernel) {
        this.launcher = launcher;
        this.kernel = kernel;
    }

    KernelLibrary.Built kernel() {
        return kernel;
    }

    /** The work-group size for reducing rows of {@code length} with this kernel (see KernelLauncher). */
    int reductionGroup(long length) {
        return launcher.reductionGroup(kernel, length);
    }

    /** A tensor: buffer and element offset; null passes the placeholder at offset 0. */
    KernelCall view(View v) {
        buffer(v == null ? launcher.placeholder() : launcher.buffer(v));
        return longArg(v == null ? 0 : v.offset());
    }

    KernelCall buffer(cl_mem m) {
        CL.clSetKernelArg(kernel.handle(), index++, Sizeof.cl_mem, Pointer.to(m));
        return this;
    }

    KernelCall intArg(int x) {
        CL.clSetKernelArg(kernel.handle(), index++, Sizeof.cl_int, Pointer.to(new int[] {x}));
        return this;
    }

    KernelCall flag(boolean x) {
        return intArg(x ? 1 : 0);
    }

    KernelCall longArg(long x) {
        CL.clSetKernelArg(kernel.handle(), index++, Sizeof.cl_long, Pointer.to(new long[] {x}));
        return this;
    }

    KernelCall floatArg(float x) {
        CL.clSetKernelArg(kernel.handle(), index++, Sizeof.cl_float, Pointer.to(new float[] {x}));
        return this;
    }

    /** A __local float array of {@code floats} elements. */
    KernelCall localFloats(long floats) {
        CL.clSetKernelArg(kernel.handle(), index++, floats * Sizeof.cl_float, null);
        localBytes += floats * Sizeof.cl_float;
        return this;
    }

    /** One work-item per element of {@code n}, in work-groups of the launcher's elementwise size. */
    void runElementwise(long n) {
        long group = launcher.elementwiseGroup(kernel);
        run(new long[] {KernelLauncher.roundUp(Math.max(1, n), group)}, new long[] {group});
    }

    /** One work-item per row (the CPU kernels); the driver picks the work-group size. */
    void runRows(long rows) {
        run(new long[] {KernelLauncher.roundUp(Math.max(1, rows), 16)}, null);
    }

    /**
     * {@code groups} work-groups of {@code size} work-items each (kernels that reduce within a work-group, one group
     * per row, which do not check the row against a count); nothing is launched for no groups.
     */
    void runGroups(long groups, int size) {
        if (groups > 0) {
            run(new long[] {groups * size}, new long[] {size});
        }
    }

    /** One work-item per element of {@code n}, in work-groups of up to {@code width} (fewer where not allowed). */
    void runFlat(long n, int width) {
        long group = launcher.fixedGroup(kernel, width);
        run(new long[] {KernelLauncher.roundUp(Math.max(1, n), group)}, new long[] {group});
    }

    /**
     * A 2-D range over (x, y), work-groups of up to {@code width} x 1 work-items (fewer where the kernel or the
     * device allows fewer): neighbouring work-items take neighbouring x (columns).
     */
    void runColumns(long x, long y, int width) {
        long group = launcher.fixedGroup(kernel, width);
        run(new long[] {KernelLauncher.roundUp(Math.max(1, x), group), Math.max(1, y)}, new long[] {group, 1});
    }

    /** Enqueues over {@code global} work-items in groups of {@code local} (null lets the driver choose). */
    void run(long[] global, long[] local) {
        launcher.enqueue(kernel, global, local, localBytes);
    }
}

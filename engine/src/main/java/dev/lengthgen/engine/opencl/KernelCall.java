package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * Arguments of one kernel launch, set in the kernel's parameter order: a {@link View} is two parameters (the buffer
 * and the element offset, "x, x_off"), a missing (null) view passes a placeholder buffer that the kernel never reads.
 */
final class KernelCall {
    private final OpenClBackend backend;
    private final cl_kernel kernel;
    private final String name;
    private int index;

    KernelCall(OpenClBackend backend, cl_kernel kernel, String name) {
        this.backend = backend;
        this.kernel = kernel;
        this.name = name;
    }

    /** A tensor: buffer and element offset; null passes the placeholder at offset 0. */
    KernelCall view(View v) {
        buffer(v == null ? backend.placeholder() : backend.buffer(v));
        return longArg(v == null ? 0 : v.offset());
    }

    KernelCall buffer(cl_mem m) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_mem, Pointer.to(m));
        return this;
    }

    KernelCall intArg(int x) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_int, Pointer.to(new int[] {x}));
        return this;
    }

    KernelCall flag(boolean x) {
        return intArg(x ? 1 : 0);
    }

    KernelCall longArg(long x) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_long, Pointer.to(new long[] {x}));
        return this;
    }

    KernelCall floatArg(float x) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_float, Pointer.to(new float[] {x}));
        return this;
    }

    /** A __local float array of {@code floats} elements. */
    KernelCall localFloats(long floats) {
        CL.clSetKernelArg(kernel, index++, floats * Sizeof.cl_float, null);
        return this;
    }

    /** Enqueues over {@code global} work-items in groups of {@code local} (null lets the driver choose). */
    void run(long[] global, long[] local) {
        backend.enqueue(kernel, name, global, local);
    }
}

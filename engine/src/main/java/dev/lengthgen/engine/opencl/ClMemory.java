package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import org.jocl.cl_mem;

/** One OpenCL buffer of an {@link OpenClBackend}'s {@link DeviceBuffers}. */
final class ClMemory implements Memory {
    final cl_mem buffer;
    final DeviceBuffers owner;
    private final DType type;
    private final long length;
    private final String label;

    ClMemory(DeviceBuffers owner, cl_mem buffer, DType type, long length, String label) {
        this.owner = owner;
        this.buffer = buffer;
        this.type = type;
        this.length = length;
        this.label = label;
    }

    @Override
    public DType type() {
        return type;
    }

    @Override
    public long length() {
        return length;
    }

    /** The buffer's size: at least one element, so that an empty tensor still has a buffer. */
    long bytes() {
        return Math.max(1, length) * type.bytes;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label + " (" + type + " x " + length + ", opencl)";
    }
}

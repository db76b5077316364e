package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The device memory of an {@link OpenClBackend}: its allocations, the kernels' scratch buffers, read-only tables and
 * the staging buffers of partial uploads, all counted against the device's memory ({@link DeviceLimits}).
 *
 * <p>Every buffer is written in full when it is created: an allocation with zeros (the {@code allocate} contract), a
 * scratch buffer with NaNs, so that a kernel that reads scratch it did not write poisons its result on every device
 * (a parity test fails, a training run stops at a NaN loss) instead of reading whatever a GPU left there. Up to
 * {@link #WRITTEN_BY_HOST} bytes that is one host write, above it a fill kernel. And every other write from the host
 * covers a whole buffer: the uninitialized-memory check of the Oclgrind simulator follows kernel stores and
 * whole-buffer host writes only, and keeps what it knew about a released buffer for the next buffer at its address
 * unless a whole-buffer host write replaces it (README, Running on a GPU; tests OclgrindFaultsTest). So a write into
 * part of a buffer goes through a staging buffer of its exact size and a copy kernel; a training step writes whole
 * buffers only.
 */
final class DeviceBuffers implements AutoCloseable {
    /** Staging buffers kept for partial uploads, by exact size (a decoder uses one or two sizes). */
    private static final int STAGING_SIZES = 8;
    /** Buffers up to this size begin with one host write (which also resets the simulator's record of them). */
    static final int WRITTEN_BY_HOST = 1 << 20;
    /** The bits a new scratch buffer holds in every word: a NaN. */
    private static final int SCRATCH_WORD = 0xFFFFFFFF;

    private final cl_context context;
    private final cl_command_queue queue;
    private final EventProfiler profiler;
    private final DeviceLimits limits;
    private final String deviceName;
    private final cl_mem placeholder;
    private final List<ClMemory> allocations = new ArrayList<>();
    private final Map<String, cl_mem> scratch = new HashMap<>();
    private final Map<String, Long> scratchBytes = new HashMap<>();
    private final Map<String, cl_mem> tables = new HashMap<>();
    private final Map<Long, cl_mem> staging = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, cl_mem> eldest) {
            if (size() > STAGING_SIZES) {
                CL.clReleaseMemObject(eldest.getValue());   // freed by the driver once queued commands are done
                return true;
            }
            return false;
        }
    };
    /** Fills and copies large buffers; set once the kernels exist ({@link #useKernels}). */
    private ElementwiseKernels kernels;
    private long allocatedBytes;

    DeviceBuffers(cl_context context, cl_command_queue queue, EventProfiler profiler, DeviceLimits limits,
                  String deviceName) {
        this.context = context;
        this.queue = queue;
        this.profiler = profiler;
        this.limits = limits;
        this.deviceName = deviceName;
        this.placeholder = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, Sizeof.cl_float, null, null);
    }

    /** The kernels that fill buffers above {@link #WRITTEN_BY_HOST} and copy staged uploads into place. */
    void useKernels(ElementwiseKernels elementwise) {
        this.kernels = elementwise;
    }

    /** {@code length} elements, zeroed. */
    ClMemory allocate(DType type, long length, String label) {
        if (length < 0) {
            throw new IllegalArgumentException(label + ": negative length " + length);
        }
        long bytes = Math.max(1, length) * type.bytes;
        ClMemory memory = new ClMemory(this, createBuffer(label, bytes, CL.CL_MEM_READ_WRITE, 0), type, length,
                label);
        allocations.add(memory);
        return memory;
    }

    /** Releases one allocation now rather than at {@link #close()}. */
    void release(Memory memory) {
        ClMemory m = (ClMemory) memory;
        if (allocations.remove(m)) {
            releaseBuffer(m.buffer, m.bytes());
        }
    }

    /**
     * A buffer of {@code bytes} with {@code word} in every 32-bit word, counted against the device's memory.
     *
     * @throws DeviceMemoryException naming the buffer and what to reduce, when it does not fit
     */
    private cl_mem createBuffer(String label, long bytes, long flags, int word) {
        if (bytes > limits.maxAllocationBytes()) {
            throw new DeviceMemoryException(String.format(
                    "cannot allocate '%s': it needs %,d bytes in one buffer, but %s allows at most %,d bytes per "
                            + "buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE); reduce the batch size, the context length or "
                            + "the model size", label, bytes, deviceName, limits.maxAllocationBytes()));
        }
        if (allocatedBytes + bytes > limits.globalMemoryBytes()) {
            throw new DeviceMemoryException(String.format(
                    "cannot allocate '%s' (%,d bytes): with the %,d bytes already allocated it exceeds the %,d bytes "
                            + "of %s; reduce the batch size, the context length or the model size",
                    label, bytes, allocatedBytes, limits.globalMemoryBytes(), deviceName));
        }
        cl_mem m;
        try {
            m = CL.clCreateBuffer(context, flags, bytes, null, null);
        } catch (CLException e) {
            throw new DeviceMemoryException(String.format("cannot allocate '%s' (%,d bytes) on %s: %s; reduce the "
                    + "batch size, the context length or the model size", label, bytes, deviceName,
                    e.getMessage()), e);
        }
        allocatedBytes += bytes;
        if (bytes <= WRITTEN_BY_HOST) {
            int[] words = new int[(int) (bytes / Sizeof.cl_int)];
            Arrays.fill(words, word);
            CL.clEnqueueWriteBuffer(queue, m, true, 0, bytes, Pointer.to(words), 0, null, null);
        } else {
            kernels.fill(m, 0, bytes / Sizeof.cl_int, word);
        }
        return m;
    }

    private void releaseBuffer(cl_mem m, long bytes) {
        CL.clReleaseMemObject(m);   // freed by the driver once queued commands using it are done
        allocatedBytes -= bytes;
    }

    /** The buffer behind a view, which must be one of these allocations. */
    cl_mem buffer(View v) {
        return memory(v).buffer;
    }

    private ClMemory memory(View v) {
        if (!(v.memory() instanceof ClMemory m) || m.owner != this) {
            throw new IllegalArgumentException(v.memory().label() + " does not belong to this OpenCL backend");
        }
        return m;
    }

    /** The buffer passed for a null tensor: one float, never read. */
    cl_mem placeholder() {
        return placeholder;
    }

    /** A scratch buffer of at least {@code bytes}, reused between ops (the in-order queue serializes its uses). */
    cl_mem scratch(String name, long bytes) {
        Long have = scratchBytes.get(name);
        if (have == null || have < bytes) {
            cl_mem old = scratch.remove(name);
            if (old != null) {
                releaseBuffer(old, have);
            }
            long size = Math.max(4, Math.max(bytes, have == null ? 0 : have * 2));
            scratch.put(name, createBuffer("scratch " + name, size, CL.CL_MEM_READ_WRITE, SCRATCH_WORD));
            scratchBytes.put(name, size);
        }
        return scratch.get(name);
    }

    /** A read-only table, uploaded once per key and kept until {@link #close()}. */
    cl_mem table(String key, Supplier<float[]> values) {
        return tables.computeIfAbsent(key, k -> {
            float[] f = values.get();
            long bytes = Math.max(1, f.length) * (long) Sizeof.cl_float;
            cl_mem m = createBuffer("table " + key, bytes, CL.CL_MEM_READ_ONLY, 0);
            if (f.length > 0) {
                CL.clEnqueueWriteBuffer(queue, m, true, 0, bytes, Pointer.to(f), 0, null, profiler.next("upload"));
            }
            return m;
        });
    }

    /** Writes bytes at the start of dst: directly when they fill its buffer, else staged (see the class comment). */
    void write(View dst, Pointer src, long bytes) {
        if (bytes == 0) {
            return;
        }
        ClMemory m = memory(dst);
        if (dst.offset() == 0 && bytes == m.bytes()) {
            CL.clEnqueueWriteBuffer(queue, m.buffer, true, 0, bytes, src, 0, null, profiler.next("upload"));
            return;
        }
        cl_mem stage = staging.get(bytes);
        if (stage == null) {
            stage = CL.clCreateBuffer(context, CL.CL_MEM_READ_ONLY, bytes, null, null);
            staging.put(bytes, stage);
        }
        CL.clEnqueueWriteBuffer(queue, stage, true, 0, bytes, src, 0, null, profiler.next("upload"));
        kernels.copyWords(m.buffer, dst.offset(), stage, 0, bytes / Sizeof.cl_int);
    }

    /** Releases every buffer; the caller has finished the queue. */
    @Override
    public void close() {
        allocations.forEach(m -> CL.clReleaseMemObject(m.buffer));
        allocations.clear();
        scratch.values().forEach(CL::clReleaseMemObject);
        scratch.clear();
        tables.values().forEach(CL::clReleaseMemObject);
        tables.clear();
        staging.values().forEach(CL::clReleaseMemObject);
        staging.clear();
        CL.clReleaseMemObject(placeholder);
    }
}

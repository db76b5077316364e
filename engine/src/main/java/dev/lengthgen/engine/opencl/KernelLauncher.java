package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the family launchers ({@link MatmulKernels} and the others) launch with: kernels built with their
 * {@link KernelBuildOptions}, work-group sizes within the {@link DeviceLimits} and each kernel's own
 * CL_KERNEL_WORK_GROUP_SIZE, the device's buffers and scratch, and the queue. Every launch is checked against the
 * limits before it is enqueued, so geometry that only fits a larger device fails here, with the kernel's name, on
 * every device (the tests lower the limits to prove that none does).
 */
final class KernelLauncher {
    /** Work-items per group of the elementwise kernels, where the kernel and the device allow it. */
    static final int ELEMENTWISE_GROUP = 256;
    /** Upper bound on the work-group size of the reduction kernels (a power of two). */
    static final int MAX_REDUCTION_GROUP = 256;
    /** Lower bound on it where the kernel allows (a reduction over fewer items leaves the rest idle). */
    static final int MIN_REDUCTION_GROUP = 32;

    private final DeviceBuffers buffers;
    private final KernelLibrary library;
    private final DeviceLimits limits;
    private final cl_command_queue queue;
    private final EventProfiler profiler;
    private final KernelBuildOptions.GemmBlocking gemm;
    private final Map<KernelFamily, KernelBuildOptions> familyOptions = new EnumMap<>(KernelFamily.class);
    private final Map<KernelFamily, Map<Integer, KernelBuildOptions>> headOptions = new EnumMap<>(KernelFamily.class);

    KernelLauncher(DeviceBuffers buffers, KernelLibrary library, DeviceLimits limits, cl_command_queue queue,
                   EventProfiler profiler) {
        this.buffers = buffers;
        this.library = library;
        this.limits = limits;
        this.queue = queue;
        this.profiler = profiler;
        this.gemm = KernelBuildOptions.GemmBlocking.forDevice(limits);
        for (KernelFamily f : KernelFamily.values()) {
            familyOptions.put(f, KernelBuildOptions.of(f, gemm));
        }
    }

    DeviceLimits limits() {
        return limits;
    }

    /** The GEMM blocking chosen for this device. */
    KernelBuildOptions.GemmBlocking gemm() {
        return gemm;
    }

    /** The build of a family that the backend uses (without a head size). */
    KernelBuildOptions options(KernelFamily family) {
        return familyOptions.get(family);
    }

    /** A launch of {@code kernel} from its family's build. */
    KernelCall call(Kernel kernel) {
        if (kernel.perHeadSize()) {
            throw new IllegalArgumentException(kernel + " is built per head size");
        }
        return call(kernel, options(kernel.family()));
    }

    /** A launch of {@code kernel} from its family's build for heads of {@code headSize} channels. */
    KernelCall call(Kernel kernel, int headSize) {
        KernelBuildOptions o = headOptions.computeIfAbsent(kernel.family(), f -> new HashMap<>())
                .computeIfAbsent(headSize, hs -> options(kernel.family()).forHeads(hs));
        return call(kernel, o);
    }

    KernelCall call(Kernel kernel, KernelBuildOptions options) {
        return new KernelCall(this, library.kernel(kernel, options));
    }

    /** The most work-items one work-group of this kernel may have here. */
    long groupLimit(KernelLibrary.Built kernel) {
        return Math.min(limits.maxWorkGroupSize(), kernel.maxGroupSize());
    }

    /**
     * The work-group size of a kernel that reduces rows of {@code length} within a work-group (one float of local
     * memory per work-item): the smallest power of two that covers the row, within [32, 256], and no more than the
     * kernel, the device and its local memory allow.
     */
    int reductionGroup(KernelLibrary.Built kernel, long length) {
        long wanted = Long.highestOneBit(Math.max(1, length - 1)) << 1;
        long localFloats = Math.max(1, (limits.localMemoryBytes() - kernel.localMemoryBytes()) / Float.BYTES);
        long limit = Long.highestOneBit(Math.max(1, Math.min(Math.min(MAX_REDUCTION_GROUP, groupLimit(kernel)),
                localFloats)));
        return (int) Math.max(Math.min(MIN_REDUCTION_GROUP, limit), Math.min(limit, wanted));
    }

    /** The work-group size of an elementwise kernel: {@link #ELEMENTWISE_GROUP} or what the kernel allows. */
    long elementwiseGroup(KernelLibrary.Built kernel) {
        return fixedGroup(kernel, ELEMENTWISE_GROUP);
    }

    /** {@code width} work-items, or the largest power of two below it that the kernel and the device allow. */
    long fixedGroup(KernelLibrary.Built kernel, int width) {
        long limit = groupLimit(kernel);
        return width <= limit ? width : Long.highestOneBit(limit);
    }

    cl_mem buffer(View v) {
        return buffers.buffer(v);
    }

    cl_mem placeholder() {
        return buffers.placeholder();
    }

    /** A read-only table uploaded once per key. */
    cl_mem table(String key, Supplier<float[]> values) {
        return buffers.table(key, values);
    }

    /** A scratch buffer of at least {@code bytes}, reused between ops (the in-order queue serializes its uses). */
    cl_mem scratch(String name, long bytes) {
        return buffers.scratch(name, bytes);
    }

    /**
     * Enqueues a launch after checking its work-group against the limits: its size against the kernel's and the
     * device's, its local memory (declared in the kernel plus {@code dynamicLocalBytes} of __local arguments)
     * against the device's.
     */
    void enqueue(KernelLibrary.Built kernel, long[] global, long[] local, long dynamicLocalBytes) {
        if (local != null) {
            long items = 1;
            for (long l : local) {
                items *= l;
            }
            if (items > groupLimit(kernel)) {
                throw new IllegalStateException(kernel.kernel().clName() + ": a work-group of " + items
                        + " work-items exceeds the " + groupLimit(kernel) + " this kernel may use here (" + limits
                        + ")");
            }
        }
        long localBytes = kernel.localMemoryBytes() + dynamicLocalBytes;
        if (localBytes > limits.localMemoryBytes()) {
            throw new IllegalStateException(kernel.kernel().clName() + ": " + localBytes + " bytes of local memory "
                    + "exceed the device's " + limits.localMemoryBytes());
        }
        CL.clEnqueueNDRangeKernel(queue, kernel.handle(), global.length, null, global, local, 0, null,
                profiler.next(kernel.kernel().clName()));
    }

    static long roundUp(long x, long multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /** n as an int, or a message naming what exceeds the kernels' 32-bit element indexing. */
    static int intSize(long n, String what) {
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": " + n + " elements exceeds the OpenCL kernels' 32-bit "
                    + "indexing");
        }
        return (int) n;
    }
}

package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.OpArguments;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.Profile;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ops on an OpenCL device through JOCL. Buffers live on the device; ops enqueue kernels on one in-order command
 * queue and return at once; {@link #download} and {@link #finish} wait. Kernels come from the kernels-opencl
 * resources and are compiled by the driver on first use; each op picks the GPU or the CPU-device variant of its
 * kernels ({@link KernelVariant}). Reductions run in a fixed order, so the same inputs give the same bits on every
 * run on the same device.
 */
public final class OpenClBackend implements Backend {

    /** Sizes fixed for a run, compiled into the kernels as -D constants. */
    static final int TILE = 64;            // gemm_tiled: output tile per work-group
    static final int TILE_K = 16;          // gemm_tiled: k depth per local-memory stage
    static final int WORK_PER_THREAD = 4;  // gemm_tiled: outputs per work-item per dimension
    static final int COLSUM_ROWS = 64;     // rows per partial of a column sum
    static final int REDUCE_CHUNK = 4096;  // elements per partial of sum / sumOfSquares

    /** Work-items per group for elementwise kernels. */
    private static final int ELEMENTWISE_GROUP = 256;
    /** Upper bound on the work-group size of the GPU reduction kernels (power of two). */
    private static final int MAX_GROUP = 256;

    private final OpenClDevice device;
    private final KernelVariant variant;
    private final cl_context context;
    private final cl_command_queue queue;
    private final KernelLibrary kernels;
    private final EventProfiler profiler = new EventProfiler();
    private final cl_mem placeholder;
    private final Map<String, cl_mem> scratch = new HashMap<>();
    private final Map<String, Long> scratchBytes = new HashMap<>();
    private final List<ClMemory> allocations = new ArrayList<>();
    /** The rotary frequencies per (base, head size): see {@link #rotaryFrequencies}. */
    private final Map<String, cl_mem> rotaryFrequencies = new HashMap<>();
    private final int maxGroup;
    /** gemm_rowblock's register block: rows per work-item, and float16 vectors (16 columns each) per row. */
    private final int rowBlock;
    private final int columnVectors;
    private long allocatedBytes;
    private boolean closed;

    /** Opens a device chosen by {@link OpenClPlatforms#select}: an index, a name substring, or null for the default. */
    public static OpenClBackend open(String deviceSpec) {
        OpenClDevice d = OpenClPlatforms.select(deviceSpec);
        return new OpenClBackend(d, KernelVariant.choose(d.type()));
    }

    /** Opens {@code device} with an explicit kernel variant (tests run both variants on one device). */
    public OpenClBackend(OpenClDevice device, KernelVariant variant) {
        this.device = device;
        this.variant = variant;
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
            context = CL.clCreateContext(props, 1, new cl_device_id[] {device.device()}, null, null, null);
            // Profiling is enabled on the queue once: timestamps cost little, and setProfiling only decides
            // whether events are requested.
            @SuppressWarnings("deprecation") // clCreateCommandQueue is the call OpenCL 1.2 drivers know
            cl_command_queue q = CL.clCreateCommandQueue(context, device.device(), CL.CL_QUEUE_PROFILING_ENABLE,
                    null);
            queue = q;
            placeholder = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, Sizeof.cl_float, null, null);
        } catch (CLException | LinkageError e) {
            throw new BackendUnavailableException("cannot open OpenCL device " + device.summary() + ": "
                    + e.getMessage() + "; " + OpenClPlatforms.INSTALL_HINT, e);
        }
        long groupLimit = OpenClPlatforms.deviceSize(device.device(), CL.CL_DEVICE_MAX_WORK_GROUP_SIZE);
        maxGroup = (int) Math.min(MAX_GROUP, Long.highestOneBit(Math.max(1, groupLimit)));
        // gemm_rowblock keeps rowBlock x columnVectors float16 accumulators in registers. With 16-float native
        // vectors (AVX-512: 32 registers) 8 x 2 leaves room for the operands; with 8-float vectors (AVX2: 16
        // registers, a float16 taking two) 6 x 1 does.
        int nativeFloats = OpenClPlatforms.deviceInt(device.device(), CL.CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT);
        rowBlock = nativeFloats >= 16 ? 8 : 6;
        columnVectors = nativeFloats >= 16 ? 2 : 1;
        kernels = new KernelLibrary(context, device.device(), buildOptions());
    }

    private String buildOptions() {
        return "-cl-std=CL1.2"
                + " -DTS=" + TILE + " -DTK=" + TILE_K + " -DWPT=" + WORK_PER_THREAD
                + " -DRB=" + rowBlock + " -DCV=" + columnVectors
                + " -DCOLSUM_ROWS=" + COLSUM_ROWS + " -DREDUCE_CHUNK=" + REDUCE_CHUNK;
    }

    public OpenClDevice device() {
        return device;
    }

    public KernelVariant variant() {
        return variant;
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String describe() {
        return "opencl " + device.summary() + ", " + variant.name().toLowerCase() + " kernels";
    }

    /**
     * Compiles {@code source} (with the common prelude in front) for this device and discards the result: a way to
     * check a kernel source, e.g. in tests.
     *
     * @throws KernelBuildException with the driver's build log when the driver rejects it
     */
    public void compile(String name, String source) {
        CL.clReleaseProgram(KernelLibrary.build(context, device.device(), name,
                new String[] {KernelLibrary.source(KernelLibrary.PRELUDE), source},
                new String[] {KernelLibrary.PRELUDE, name}, kernels.options()));
    }

    // ---- memory ----

    @Override
    public Memory allocate(DType type, long length, String label) {
        if (length < 0) {
            throw new IllegalArgumentException(label + ": negative length " + length);
        }
        long bytes = Math.max(1, length) * type.bytes;
        if (bytes > device.maxAllocationBytes()) {
            throw new DeviceMemoryException(String.format(
                    "cannot allocate '%s': it needs %,d bytes (%,d %s elements) in one buffer, but %s allows at most "
                            + "%,d bytes per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE); reduce the batch size, the "
                            + "context length or the model size",
                    label, bytes, length, type, device.name(), device.maxAllocationBytes()));
        }
        if (allocatedBytes + bytes > device.globalMemoryBytes()) {
            throw new DeviceMemoryException(String.format(
                    "cannot allocate '%s' (%,d bytes): with the %,d bytes already allocated it exceeds the %,d bytes "
                            + "of %s; reduce the batch size, the context length or the model size",
                    label, bytes, allocatedBytes, device.globalMemoryBytes(), device.name()));
        }
        cl_mem m;
        try {
            m = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null);
            CL.clEnqueueFillBuffer(queue, m, Pointer.to(new int[] {0}), Sizeof.cl_int, 0, bytes, 0, null, null);
        } catch (CLException e) {
            throw new DeviceMemoryException(String.format("cannot allocate '%s' (%,d bytes) on %s: %s; reduce the "
                    + "batch size, the context length or the model size", label, bytes, device.name(),
                    e.getMessage()), e);
        }
        allocatedBytes += bytes;
        ClMemory memory = new ClMemory(this, m, type, length, label);
        allocations.add(memory);
        return memory;
    }

    /** Releases one allocation now rather than at {@link #close()}. */
    public void release(Memory memory) {
        ClMemory m = (ClMemory) memory;
        if (allocations.remove(m)) {
            CL.clReleaseMemObject(m.buffer);
            allocatedBytes -= Math.max(1, m.length()) * m.type().bytes;
        }
    }

    cl_mem buffer(View v) {
        if (!(v.memory() instanceof ClMemory m) || m.owner != this) {
            throw new IllegalArgumentException(v.memory().label() + " does not belong to this OpenCL backend");
        }
        return m.buffer;
    }

    cl_mem placeholder() {
        return placeholder;
    }

    /** A scratch buffer of at least {@code bytes}, reused between ops (the in-order queue serializes its uses). */
    private cl_mem scratch(String name, long bytes) {
        Long have = scratchBytes.get(name);
        if (have == null || have < bytes) {
            cl_mem old = scratch.remove(name);
            if (old != null) {
                CL.clReleaseMemObject(old);   // freed by the driver once queued commands using it are done
            }
            long size = Math.max(bytes, have == null ? 0 : have * 2);
            scratch.put(name, CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, Math.max(4, size), null, null));
            scratchBytes.put(name, size);
        }
        return scratch.get(name);
    }

    @Override
    public void upload(View dst, float[] src) {
        dst.require(DType.F32, src.length, "upload");
        if (src.length > 0) {
            CL.clEnqueueWriteBuffer(queue, buffer(dst), true, dst.offset() * Sizeof.cl_float,
                    (long) src.length * Sizeof.cl_float, Pointer.to(src), 0, null, profiler.next("upload"));
        }
    }

    @Override
    public void upload(View dst, int[] src) {
        dst.require(DType.I32, src.length, "upload");
        if (src.length > 0) {
            CL.clEnqueueWriteBuffer(queue, buffer(dst), true, dst.offset() * Sizeof.cl_int,
                    (long) src.length * Sizeof.cl_int, Pointer.to(src), 0, null, profiler.next("upload"));
        }
    }

    @Override
    public void download(View src, float[] dst) {
        src.require(DType.F32, 0, "download");
        checkDestination(src, dst.length);
        if (src.length() > 0) {
            CL.clEnqueueReadBuffer(queue, buffer(src), true, src.offset() * Sizeof.cl_float,
                    src.length() * Sizeof.cl_float, Pointer.to(dst), 0, null, profiler.next("download"));
        }
        collectTimings();
    }

    @Override
    public void download(View src, int[] dst) {
        src.require(DType.I32, 0, "download");
        checkDestination(src, dst.length);
        if (src.length() > 0) {
            CL.clEnqueueReadBuffer(queue, buffer(src), true, src.offset() * Sizeof.cl_int,
                    src.length() * Sizeof.cl_int, Pointer.to(dst), 0, null, profiler.next("download"));
        }
        collectTimings();
    }

    /**
     * Reads the timestamps of finished task runs. A blocking read returns only after every earlier command of the
     * in-order queue has finished, so a training loop that downloads its loss each step keeps the pending events
     * bounded without ever waiting for them.
     */
    private void collectTimings() {
        if (profiler.enabled()) {
            profiler.collect();
        }
    }

    private static void checkDestination(View src, int have) {
        if (have < src.length()) {
            throw new IllegalArgumentException("download of " + src.length() + " elements of " + src.memory().label()
                    + " into an array of " + have);
        }
    }

    @Override
    public void finish() {
        CL.clFinish(queue);
        if (profiler.enabled()) {
            profiler.collect();
        }
    }

    // ---- profiling ----

    @Override
    public void beginTask(String name) {
        profiler.begin(name);
    }

    @Override
    public void endTask(String name) {
        profiler.end(name);
    }

    @Override
    public void setProfiling(boolean on) {
        if (!on && profiler.enabled()) {
            finish();
        }
        profiler.setEnabled(on);
    }

    /** Per-task device time (sum of its kernels' event timestamps); waits for queued work first. */
    @Override
    public Profile profile() {
        finish();
        profiler.collect();
        return profiler.profile();
    }

    /** Device time per kernel name (e.g. "gemm_rowblock", "pack_panels") since the last reset; waits first. */
    public Profile kernelProfile() {
        finish();
        profiler.collect();
        return profiler.byKernel();
    }

    @Override
    public void resetProfile() {
        finish();
        profiler.collect();
        profiler.reset();
    }

    @Override
    public long maxAllocationBytes() {
        return device.maxAllocationBytes();
    }

    @Override
    public long totalMemoryBytes() {
        return device.globalMemoryBytes();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            CL.clFinish(queue);
        } finally {
            profiler.discard();
            kernels.close();
            allocations.forEach(m -> CL.clReleaseMemObject(m.buffer));
            allocations.clear();
            scratch.values().forEach(CL::clReleaseMemObject);
            scratch.clear();
            rotaryFrequencies.values().forEach(CL::clReleaseMemObject);
            rotaryFrequencies.clear();
            CL.clReleaseMemObject(placeholder);
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        }
    }

    // ---- launching ----

    private KernelCall call(String family, String kernel) {
        return call(family, "", kernel);
    }

    private KernelCall call(String family, String extraOptions, String kernel) {
        return new KernelCall(this, kernels.kernel(family, extraOptions, kernel), kernel);
    }

    /**
     * Build options of the CPU attention kernels, which hold a head in registers: the head size and the widest
     * vector (16, 8, 4 or 1 floats) that divides it.
     */
    private String headOptions(int C, int NH) {
        if (variant == KernelVariant.GPU) {
            return "";
        }
        int hs = C / NH;
        int width = hs % 16 == 0 ? 16 : hs % 8 == 0 ? 8 : hs % 4 == 0 ? 4 : 1;
        return "-DHS=" + hs + " -DHV=" + width;
    }

    void enqueue(cl_kernel kernel, String name, long[] global, long[] local) {
        cl_event event = profiler.next(name);
        CL.clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, event);
    }

    private static long roundUp(long x, long multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    private static long[] elementwiseGlobal(long n) {
        return new long[] {roundUp(Math.max(1, n), ELEMENTWISE_GROUP)};
    }

    private static final long[] ELEMENTWISE_LOCAL = {ELEMENTWISE_GROUP};

    /** Global size for one work-item per row (CPU kernels); the driver picks the group size. */
    private static long[] perRow(long rows) {
        return new long[] {roundUp(Math.max(1, rows), 16)};
    }

    /**
     * Work-group size for a GPU kernel that reduces rows of {@code len}: a power of two in [32, maxGroup], and no
     * more than the kernel itself allows on this device.
     */
    private int groupFor(String family, String kernel, long len) {
        long l = Long.highestOneBit(Math.max(1, len - 1)) << 1;
        long limit = Math.min(maxGroup, Long.highestOneBit(Math.max(1,
                kernels.maxGroupSize(kernels.kernel(family, "", kernel)))));
        return (int) Math.max(Math.min(32, limit), Math.min(limit, l));
    }

    private static long[] grid2(long x, long y, long lx) {
        return new long[] {roundUp(Math.max(1, x), lx), Math.max(1, y)};
    }

    private static int intSize(long n, String what) {
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": " + n + " elements exceeds the kernels' 32-bit indexing");
        }
        return (int) n;
    }

    // ---- encoder ----

    @Override
    public void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        out.require(DType.F32, (long) N * C, "encoderForward out");
        tokens.require(DType.I32, N, "encoderForward tokens");
        if (wpe != null) {
            posIds.require(DType.I32, N, "encoderForward posIds");
        }
        call("encoder", "encoder_forward").view(out).view(tokens).view(wpe == null ? null : posIds).view(wte)
                .view(wpe).flag(wpe != null).intArg(N).intArg(C)
                .run(grid2(C, N, 64), new long[] {64, 1});
    }

    @Override
    public void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        dout.require(DType.F32, (long) N * C, "encoderBackward dout");
        if (dwte != null) {
            tokens.require(DType.I32, N, "encoderBackward tokens");
            embeddingBackward(dwte, dout, tokens, N, C);
        }
        if (dwpe != null) {
            posIds.require(DType.I32, N, "encoderBackward posIds");
            embeddingBackward(dwpe, dout, posIds, N, C);
        }
    }

    /** dw (rows,C) += dout rows bucketed by ids (see encoder.cl). */
    private void embeddingBackward(View dw, View dout, View ids, int N, int C) {
        int rows = intSize(dw.length() / C, "embedding rows");
        cl_mem order = scratch("bucket.order", (long) N * Sizeof.cl_int);
        cl_mem range = scratch("bucket.range", 2L * rows * Sizeof.cl_int);
        call("encoder", "encoder_bucket").buffer(order).buffer(range).view(ids).intArg(N).intArg(rows)
                .run(new long[] {roundUp(rows, 64)}, new long[] {64});
        call("encoder", "encoder_bucket_accumulate").view(dw).view(dout).buffer(order).buffer(range).intArg(C)
                .intArg(rows).run(grid2(C, rows, 64), new long[] {64, 1});
    }

    // ---- layernorm ----

    @Override
    public void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) {
        out.require(DType.F32, (long) N * C, "layernormForward out");
        inp.require(DType.F32, (long) N * C, "layernormForward inp");
        mean.require(DType.F32, N, "layernormForward mean");
        rstd.require(DType.F32, N, "layernormForward rstd");
        weight.require(DType.F32, C, "layernormForward weight");
        if (variant == KernelVariant.GPU) {
            int l = groupFor("layernorm", "layernorm_forward_group", C);
            call("layernorm", "layernorm_forward_group").view(out).view(mean).view(rstd).view(inp).view(weight)
                    .view(bias).flag(bias != null).intArg(C).localFloats(l)
                    .run(new long[] {(long) N * l}, new long[] {l});
        } else {
            call("layernorm", "layernorm_forward_row").view(out).view(mean).view(rstd).view(inp).view(weight)
                    .view(bias).flag(bias != null).intArg(C).intArg(N).run(perRow(N), null);
        }
    }

    @Override
    public void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean,
                                  View rstd, int N, int C) {
        dout.require(DType.F32, (long) N * C, "layernormBackward dout");
        inp.require(DType.F32, (long) N * C, "layernormBackward inp");
        if (dinp != null) {
            dinp.require(DType.F32, (long) N * C, "layernormBackward dinp");
            if (variant == KernelVariant.GPU) {
                int l = groupFor("layernorm", "layernorm_backward_input_group", C);
                call("layernorm", "layernorm_backward_input_group").view(dinp).view(dout).view(inp).view(weight)
                        .view(mean).view(rstd).intArg(C).localFloats(l)
                        .run(new long[] {(long) N * l}, new long[] {l});
            } else {
                call("layernorm", "layernorm_backward_input_row").view(dinp).view(dout).view(inp).view(weight)
                        .view(mean).view(rstd).intArg(C).intArg(N).run(perRow(N), null);
            }
        }
        if (dweight != null || dbias != null) {
            int chunks = (N + COLSUM_ROWS - 1) / COLSUM_ROWS;
            cl_mem partials = scratch("colsum", 2L * chunks * C * Sizeof.cl_float);
            call("layernorm", "layernorm_param_partials").buffer(partials).view(dout).view(inp).view(mean)
                    .view(rstd).intArg(N).intArg(C).intArg(chunks).run(grid2(C, chunks, 64), new long[] {64, 1});
            if (dweight != null) {
                columnAccumulate("layernorm", dweight, partials, 0, chunks, C);
            }
            if (dbias != null) {
                columnAccumulate("layernorm", dbias, partials, (long) chunks * C, chunks, C);
            }
        }
    }

    private void columnAccumulate(String family, View dst, cl_mem partials, long partialsOffset, int chunks,
                                  int cols) {
        dst.require(DType.F32, cols, "column sum destination");
        call(family, "column_partials_accumulate").view(dst).buffer(partials).longArg(partialsOffset)
                .intArg(chunks).intArg(cols).run(new long[] {roundUp(cols, 64)}, new long[] {64});
    }

    // ---- matmul ----

    @Override
    public void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        out.require(DType.F32, (long) N * OC, "matmulForward out");
        inp.require(DType.F32, (long) N * C, "matmulForward inp");
        weight.require(DType.F32, (long) OC * C, "matmulForward weight");
        if (bias != null) {
            bias.require(DType.F32, OC, "matmulForward bias");
        }
        if (variant == KernelVariant.GPU) {
            gemmTiled(out, inp, C, 1, buffer(weight), weight.offset(), 1, C, bias, false, N, OC, C);
        } else {
            gemmRowblock(out, inp, C, 1, buffer(weight), weight.offset(), 1, C, bias, false, N, OC, C);
        }
    }

    @Override
    public void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C,
                               int OC) {
        dout.require(DType.F32, (long) N * OC, "matmulBackward dout");
        if (dinp != null) {
            // dinp (N,C) += dout (N,OC) . W (OC,C)
            dinp.require(DType.F32, (long) N * C, "matmulBackward dinp");
            weight.require(DType.F32, (long) OC * C, "matmulBackward weight");
            if (variant == KernelVariant.GPU) {
                gemmTiled(dinp, dout, OC, 1, buffer(weight), weight.offset(), C, 1, null, true, N, C, OC);
            } else {
                gemmRowblock(dinp, dout, OC, 1, buffer(weight), weight.offset(), C, 1, null, true, N, C, OC);
            }
        }
        if (dweight != null) {
            // dweight (OC,C) += dout^T (OC,N) . inp (N,C)
            dweight.require(DType.F32, (long) OC * C, "matmulBackward dweight");
            inp.require(DType.F32, (long) N * C, "matmulBackward inp");
            if (variant == KernelVariant.GPU) {
                gemmTiled(dweight, dout, 1, OC, buffer(inp), inp.offset(), C, 1, null, true, OC, C, N);
            } else {
                gemmRowblock(dweight, dout, 1, OC, buffer(inp), inp.offset(), C, 1, null, true, OC, C, N);
            }
        }
        if (dbias != null) {
            int chunks = (N + COLSUM_ROWS - 1) / COLSUM_ROWS;
            cl_mem partials = scratch("colsum", (long) chunks * OC * Sizeof.cl_float);
            call("matmul", "matmul_bias_partials").buffer(partials).view(dout).intArg(N).intArg(OC)
                    .run(grid2(OC, chunks, 64), new long[] {64, 1});
            columnAccumulate("matmul", dbias, partials, 0, chunks, OC);
        }
    }

    /** c (M,N) [+]= a (M,K) . b (K,N) [+ bias] with a and b given by strides; see matmul.cl. */
    private void gemmTiled(View c, View a, int aSm, int aSk, cl_mem b, long bOffset, int bSk, int bSn, View bias,
                           boolean accumulate, int M, int N, int K) {
        int rts = TILE / WORK_PER_THREAD;
        call("matmul", "gemm_tiled").view(c).view(a).intArg(aSm).intArg(aSk).buffer(b).longArg(bOffset)
                .intArg(bSk).intArg(bSn).view(bias).flag(bias != null).flag(accumulate).intArg(M).intArg(N)
                .intArg(K).run(new long[] {(long) ((N + TILE - 1) / TILE) * rts, (long) ((M + TILE - 1) / TILE) * rts},
                        new long[] {rts, rts});
    }

    /** As {@link #gemmTiled}, in the CPU kernels: a and b are first packed into panels; see matmul.cl. */
    private void gemmRowblock(View c, View a, int aSm, int aSk, cl_mem b, long bOffset, int bSk, int bSn, View bias,
                              boolean accumulate, int M, int N, int K) {
        int columnBlock = 16 * columnVectors;
        long rowPanels = (M + rowBlock - 1) / rowBlock;
        long colPanels = (N + columnBlock - 1) / columnBlock;
        cl_mem ap = scratch("gemm.a", rowPanels * rowBlock * K * Sizeof.cl_float);
        cl_mem bp = scratch("gemm.b", colPanels * columnBlock * K * Sizeof.cl_float);
        pack("pack_row_panels", ap, buffer(a), a.offset(), aSk, aSm, K, M, rowBlock);
        pack("pack_column_panels", bp, b, bOffset, bSk, bSn, K, N, columnBlock);
        call("matmul", "gemm_rowblock").view(c).buffer(ap).buffer(bp).view(bias).flag(bias != null)
                .flag(accumulate).intArg(M).intArg(N).intArg(K).run(new long[] {rowPanels, colPanels}, null);
    }

    /** Packs src (K,N), given by strides, into panels of RB rows or CB columns (matmul.cl). */
    private void pack(String kernel, cl_mem dst, cl_mem src, long srcOffset, int sK, int sN, int K, int N, int width) {
        call("matmul", kernel).buffer(dst).buffer(src).longArg(srcOffset).intArg(sK).intArg(sN).intArg(K)
                .intArg(N).run(new long[] {K, (N + width - 1) / width}, null);
    }

    // ---- attention ----

    @Override
    public void attentionForward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) {
        OpArguments.heads(C, NH);
        long rows = (long) B * NH * T;
        out.require(DType.F32, (long) B * T * C, "attentionForward out");
        preatt.require(DType.F32, rows * T, "attentionForward preatt");
        att.require(DType.F32, rows * T, "attentionForward att");
        qkv.require(DType.F32, 3L * B * T * C, "attentionForward qkv");
        if (bias != null) {
            bias.require(DType.F32, (long) NH * T * T, "attentionForward bias");
        }
        if (variant == KernelVariant.GPU) {
            int l = groupFor("attention", "attention_forward_group", Math.max(T, C / NH));
            call("attention", "attention_forward_group").view(out).view(preatt).view(att).view(qkv).view(bias)
                    .flag(bias != null).intArg(T).intArg(C).intArg(NH).localFloats(l)
                    .run(new long[] {rows * l}, new long[] {l});
        } else {
            call("attention", headOptions(C, NH), "attention_forward_row")
                    .view(out).view(preatt).view(att).view(qkv).view(bias)
                    .flag(bias != null).intArg(T).intArg(C).intArg(NH).intArg(intSize(rows, "attention rows"))
                    .run(perRow(rows), null);
        }
    }

    @Override
    public void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att,
                                  int B, int T, int C, int NH) {
        OpArguments.heads(C, NH);
        int rows = intSize((long) B * NH * T, "attention rows");
        int hs = C / NH;
        dqkv.require(DType.F32, 3L * B * T * C, "attentionBackward dqkv");
        dpreatt.require(DType.F32, (long) rows * T, "attentionBackward dpreatt");
        datt.require(DType.F32, (long) rows * T, "attentionBackward datt");
        dout.require(DType.F32, (long) B * T * C, "attentionBackward dout");
        if (variant == KernelVariant.GPU) {
            int l = groupFor("attention", "attention_backward_softmax_group", T);
            call("attention", "attention_backward_softmax_group").view(dpreatt).view(datt).view(dout).view(qkv)
                    .view(att).intArg(T).intArg(C).intArg(NH).localFloats(l)
                    .run(new long[] {(long) rows * l}, new long[] {l});
        } else {
            call("attention", headOptions(C, NH), "attention_backward_softmax_row")
                    .view(dpreatt).view(datt).view(dout).view(qkv)
                    .view(att).intArg(T).intArg(C).intArg(NH).intArg(rows).run(perRow(rows), null);
        }
        if (variant == KernelVariant.GPU) {
            long items = (long) rows * hs;
            call("attention", "attention_backward_dq").view(dqkv).view(dpreatt).view(qkv).intArg(T).intArg(C)
                    .intArg(NH).intArg(rows).run(elementwiseGlobal(items), ELEMENTWISE_LOCAL);
            call("attention", "attention_backward_dkv").view(dqkv).view(dpreatt).view(att).view(dout).view(qkv)
                    .intArg(T).intArg(C).intArg(NH).intArg(rows).run(elementwiseGlobal(items), ELEMENTWISE_LOCAL);
        } else {
            String heads = headOptions(C, NH);
            call("attention", heads, "attention_backward_dq_row").view(dqkv).view(dpreatt).view(qkv).intArg(T)
                    .intArg(C).intArg(NH).intArg(rows).run(perRow(rows), null);
            call("attention", heads, "attention_backward_dkv_row").view(dqkv).view(dpreatt).view(att).view(dout)
                    .view(qkv).intArg(T).intArg(C).intArg(NH).intArg(rows).run(perRow(rows), null);
        }
        if (dbias != null) {
            dbias.require(DType.F32, (long) NH * T * T, "attentionBackward dbias");
            call("attention", headOptions(C, NH), "attention_backward_bias")
                    .view(dbias).view(dpreatt).intArg(B).intArg(T).intArg(NH)
                    .run(elementwiseGlobal((long) NH * T * T), ELEMENTWISE_LOCAL);
        }
    }


    // ---- relative position schemes ----

    @Override
    public void rotaryForward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH) {
        int N = checkRotary("rotaryForward", out, qkv, posIds, base, B, T, C, NH);
        rotary("rotary_forward", out, qkv, posIds, base, N, C, NH);
    }

    @Override
    public void rotaryBackward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH) {
        int N = checkRotary("rotaryBackward", dqkv, dout, posIds, base, B, T, C, NH);
        rotary("rotary_backward", dqkv, dout, posIds, base, N, C, NH);
    }

    private void rotary(String kernel, View dst, View src, View posIds, float base, int N, int C, int NH) {
        int half = C / NH / 2;
        call("position", kernel).view(dst).view(src).view(posIds).buffer(rotaryFrequencies(base, half))
                .intArg(N).intArg(C).intArg(NH).run(elementwiseGlobal((long) N * half), ELEMENTWISE_LOCAL);
    }

    /**
     * base^(-2i/hs) for i in [0, half), hs = 2 half, each as a pair of floats (hi, lo) whose sum is the double value
     * (position.cl needs the extra precision for large positions); uploaded once per (base, head size).
     */
    private cl_mem rotaryFrequencies(float base, int half) {
        return rotaryFrequencies.computeIfAbsent(base + "/" + half, key -> {
            float[] f = new float[2 * half];
            for (int i = 0; i < half; i++) {
                double x = StrictMath.pow(base, -2.0 * i / (2 * half));
                f[2 * i] = (float) x;
                f[2 * i + 1] = (float) (x - f[2 * i]);
            }
            cl_mem m = CL.clCreateBuffer(context, CL.CL_MEM_READ_ONLY, (long) f.length * Sizeof.cl_float, null, null);
            CL.clEnqueueWriteBuffer(queue, m, true, 0, (long) f.length * Sizeof.cl_float, Pointer.to(f), 0, null,
                    profiler.next("upload"));
            return m;
        });
    }

    private static int checkRotary(String op, View dst, View src, View posIds, float base, int B, int T, int C,
                                   int NH) {
        int N = intSize((long) B * T, op + " tokens");
        intSize((long) N * 3 * C, op + " qkv");
        return OpArguments.rotary(op, dst, src, posIds, base, B, T, C, NH);
    }

    @Override
    public void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K) {
        int entries = checkBuckets("bucketBiasForward", bias, table, buckets, NH, T, K);
        call("position", "bucket_bias_forward").view(bias).view(table).view(buckets).intArg(NH).intArg(T).intArg(K)
                .run(elementwiseGlobal(entries), ELEMENTWISE_LOCAL);
    }

    @Override
    public void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
        checkBuckets("bucketBiasBackward", dbias, dtable, buckets, NH, T, K);
        if (variant == KernelVariant.GPU) {
            int l = groupFor("position", "bucket_bias_backward_group", (long) T * (T + 1) / 2);
            call("position", "bucket_bias_backward_group").view(dtable).view(dbias).view(buckets).intArg(NH)
                    .intArg(T).intArg(K).localFloats(l).run(new long[] {(long) NH * K * l}, new long[] {l});
        } else {
            cl_mem partials = scratch("bucketBias.partials", (long) NH * T * K * Sizeof.cl_float);
            call("position", "bucket_bias_row_partials").buffer(partials).view(dbias).view(buckets).intArg(NH)
                    .intArg(T).intArg(K).run(perRow((long) NH * T), null);
            call("position", "bucket_bias_partials_accumulate").view(dtable).buffer(partials).intArg(NH).intArg(T)
                    .intArg(K).run(perRow((long) NH * K), null);
        }
    }

    /** Checks shapes; returns NH*T*T. Bucket ids stay unchecked on the device (position.cl skips bad ones). */
    private static int checkBuckets(String op, View bias, View table, View buckets, int NH, int T, int K) {
        OpArguments.bucketBias(op, bias, table, buckets, NH, T, K);
        intSize((long) NH * T * K, op + " partials");
        return intSize((long) NH * T * T, op + " bias");
    }

    // ---- elementwise ----

    @Override
    public void geluForward(View out, View inp, int N) {
        out.require(DType.F32, N, "geluForward out");
        inp.require(DType.F32, N, "geluForward inp");
        vectorized("gelu_forward").view(out).view(inp).intArg(N).run(vectorGlobal(N), vectorLocal());
    }

    @Override
    public void geluBackward(View dinp, View inp, View dout, int N) {
        dinp.require(DType.F32, N, "geluBackward dinp");
        vectorized("gelu_backward").view(dinp).view(inp).view(dout).intArg(N).run(vectorGlobal(N), vectorLocal());
    }

    @Override
    public void residualForward(View out, View a, View b, int N) {
        out.require(DType.F32, N, "residualForward out");
        call("elementwise", "residual_forward").view(out).view(a).view(b).intArg(N)
                .run(elementwiseGlobal(N), ELEMENTWISE_LOCAL);
    }

    @Override
    public void residualBackward(View da, View db, View dout, int N) {
        da.require(DType.F32, N, "residualBackward da");
        db.require(DType.F32, N, "residualBackward db");
        call("elementwise", "residual_backward").view(da).view(db).view(dout).intArg(N)
                .run(elementwiseGlobal(N), ELEMENTWISE_LOCAL);
    }

    @Override
    public void gatherRowsForward(View out, View inp, View rows, int M, int C) {
        OpArguments.gatherRows("gatherRowsForward", inp, out, rows, M, C);
        if (M > 0) {
            call("elementwise", "gather_rows_forward").view(out).view(inp).view(rows).intArg(M).intArg(C)
                    .run(grid2(C, M, 64), new long[] {64, 1});
        }
    }

    @Override
    public void gatherRowsBackward(View dinp, View dout, View rows, int M, int C) {
        OpArguments.gatherRows("gatherRowsBackward", dinp, dout, rows, M, C);
        if (M > 0) {
            call("elementwise", "gather_rows_backward").view(dinp).view(dout).view(rows).intArg(M).intArg(C)
                    .run(grid2(C, M, 64), new long[] {64, 1});
        }
    }

    @Override
    public void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        out.require(DType.F32, N, "dropoutForward out");
        dropout("dropout_forward", out, inp, p, key, N);
    }

    @Override
    public void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        dinp.require(DType.F32, N, "dropoutBackward dinp");
        dropout("dropout_backward", dinp, dout, p, key, N);
    }

    /** An elementwise.cl kernel: one element per work-item (GPU) or its "_vec" form, 16 per work-item (CPU). */
    private KernelCall vectorized(String kernel) {
        return call("elementwise", variant == KernelVariant.GPU ? kernel : kernel + "_vec");
    }

    private long[] vectorGlobal(long n) {
        return variant == KernelVariant.GPU ? elementwiseGlobal(n) : perRow((n + 15) / 16);
    }

    private long[] vectorLocal() {
        return variant == KernelVariant.GPU ? ELEMENTWISE_LOCAL : null;
    }

    private void dropout(String kernel, View dst, View src, float p, DropoutKey key, int N) {
        float scale = p > 0f ? (float) (1.0 / (1.0 - p)) : 1f;
        vectorized(kernel).view(dst).view(src).floatArg(p).floatArg(scale).intArg(key.tensor())
                .intArg((int) key.step()).intArg((int) (key.step() >>> 32)).intArg((int) key.seed())
                .intArg((int) (key.seed() >>> 32)).intArg(N).run(vectorGlobal(N), vectorLocal());
    }

    // ---- loss ----

    @Override
    public void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask,
                                    float dlossScale, int N, int V) {
        losses.require(DType.F32, N, "crossEntropyForward losses");
        logits.require(DType.F32, (long) N * V, "crossEntropyForward logits");
        targets.require(DType.I32, N, "crossEntropyForward targets");
        mask.require(DType.F32, N, "crossEntropyForward mask");
        if (dlogits != null) {
            dlogits.require(DType.F32, (long) N * V, "crossEntropyForward dlogits");
        }
        if (variant == KernelVariant.GPU) {
            int l = groupFor("loss", "crossentropy_forward_group", V);
            call("loss", "crossentropy_forward_group").view(losses).view(dlogits).flag(dlogits != null)
                    .view(logits).view(targets).view(mask).floatArg(dlossScale).intArg(V).localFloats(l)
                    .run(new long[] {(long) N * l}, new long[] {l});
        } else {
            call("loss", "crossentropy_forward_row").view(losses).view(dlogits).flag(dlogits != null)
                    .view(logits).view(targets).view(mask).floatArg(dlossScale).intArg(V).intArg(N)
                    .run(perRow(N), null);
        }
    }

    @Override
    public void sum(View out, View inp, long N) {
        reduce(out, inp, N, false);
    }

    @Override
    public void sumOfSquares(View out, View inp, long N) {
        reduce(out, inp, N, true);
    }

    private void reduce(View out, View inp, long N, boolean square) {
        out.require(DType.F32, 1, "sum out");
        inp.require(DType.F32, N, "sum inp");
        int chunks = intSize(Math.max(1, (N + REDUCE_CHUNK - 1) / REDUCE_CHUNK), "sum chunks");
        cl_mem partials = scratch("reduce", (long) chunks * Sizeof.cl_float);
        if (variant == KernelVariant.GPU) {
            int l = Math.min(groupFor("loss", "reduce_partials_group", maxGroup),
                    groupFor("loss", "reduce_final_group", maxGroup));
            call("loss", "reduce_partials_group").buffer(partials).view(inp).longArg(N).flag(square)
                    .localFloats(l).run(new long[] {(long) chunks * l}, new long[] {l});
            call("loss", "reduce_final_group").view(out).buffer(partials).intArg(chunks).localFloats(l)
                    .run(new long[] {l}, new long[] {l});
        } else {
            call("loss", "reduce_partials_row").buffer(partials).view(inp).longArg(N).flag(square).intArg(chunks)
                    .run(perRow(chunks), null);
            call("loss", "reduce_final_row").view(out).buffer(partials).intArg(chunks)
                    .run(new long[] {1}, new long[] {1});
        }
    }

    @Override
    public void argmax(View out, View logits, int N, int V) {
        out.require(DType.I32, N, "argmax out");
        logits.require(DType.F32, (long) N * V, "argmax logits");
        call("loss", "argmax_rows").view(out).view(logits).intArg(N).intArg(V).run(perRow(N), null);
    }

    // ---- optimizer ----

    @Override
    public void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr, float beta1,
                      float beta2, float eps, float weightDecay, int t, long N) {
        params.require(DType.F32, N, "adamw params");
        grads.require(DType.F32, N, "adamw grads");
        m.require(DType.F32, N, "adamw m");
        v.require(DType.F32, N, "adamw v");
        if (t < 1) {
            throw new IllegalArgumentException("adamw: step t counts from 1, got " + t);
        }
        float bc1 = (float) (1.0 - Math.pow(beta1, t));
        float bc2 = (float) (1.0 - Math.pow(beta2, t));
        call("optimizer", "adamw").view(params).view(grads).view(m).view(v).view(normSquared)
                .flag(normSquared != null).floatArg(maxNorm).floatArg(lr).floatArg(beta1).floatArg(beta2)
                .floatArg(eps).floatArg(weightDecay).floatArg(bc1).floatArg(bc2).longArg(N)
                .run(elementwiseGlobal(N), ELEMENTWISE_LOCAL);
    }

    // ---- decoding ----

    @Override
    public void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0) {
        OpArguments.heads(C, NH);
        if (pos0 < 0 || pos0 + T > maxT) {
            throw new IllegalArgumentException("kvCacheStore: positions [" + pos0 + ", " + (pos0 + T)
                    + ") outside the cache of " + maxT);
        }
        kcache.require(DType.F32, (long) B * C * maxT, "kvCacheStore kcache");
        vcache.require(DType.F32, (long) B * C * maxT, "kvCacheStore vcache");
        qkv.require(DType.F32, 3L * B * T * C, "kvCacheStore qkv");
        call("decode", "kv_cache_store").view(kcache).view(vcache).view(qkv).intArg(B).intArg(T).intArg(C)
                .intArg(NH).intArg(maxT).intArg(pos0).run(elementwiseGlobal((long) B * T * C), ELEMENTWISE_LOCAL);
    }

    @Override
    public void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH,
                                int maxT, int pos) {
        OpArguments.heads(C, NH);
        if (pos < 0 || pos >= maxT) {
            throw new IllegalArgumentException("attentionDecode: position " + pos + " outside the cache of " + maxT);
        }
        out.require(DType.F32, (long) B * C, "attentionDecode out");
        qkv.require(DType.F32, 3L * B * C, "attentionDecode qkv");
        int bnh = B * NH;
        cl_mem scores = scratch("decode.scores", (long) bnh * maxT * Sizeof.cl_float);
        if (variant == KernelVariant.GPU) {
            int l = groupFor("decode", "attention_decode_group", Math.max(pos + 1, C / NH));
            call("decode", "attention_decode_group").view(out).view(qkv).view(kcache).view(vcache).view(bias)
                    .flag(bias != null).buffer(scores).intArg(C).intArg(NH).intArg(maxT).intArg(pos)
                    .localFloats(l).run(new long[] {(long) bnh * l}, new long[] {l});
        } else {
            call("decode", headOptions(C, NH), "attention_decode_row")
                    .view(out).view(qkv).view(kcache).view(vcache).view(bias)
                    .flag(bias != null).buffer(scores).intArg(C).intArg(NH).intArg(maxT).intArg(pos).intArg(bnh)
                    .run(perRow(bnh), null);
        }
    }

    // ---- plumbing ----

    @Override
    public void zero(View dst) {
        fillWords(dst, 0);
    }

    /** dst written = value (F32 views). */
    public void fill(View dst, float value) {
        dst.require(DType.F32, dst.length(), "fill");
        fillWords(dst, Float.floatToRawIntBits(value));
    }

    /** dst written = value (I32 views). */
    public void fill(View dst, int value) {
        dst.require(DType.I32, dst.length(), "fill");
        fillWords(dst, value);
    }

    private void fillWords(View dst, int bits) {
        if (dst.length() > 0) {
            // the driver's fill is a memset on CPU devices and a tuned kernel on GPUs: faster than fill_words
            CL.clEnqueueFillBuffer(queue, buffer(dst), Pointer.to(new int[] {bits}), Sizeof.cl_int,
                    dst.offset() * Sizeof.cl_int, dst.length() * Sizeof.cl_int, 0, null, profiler.next("fill"));
        }
    }

    @Override
    public void copy(View dst, View src) {
        if (dst.type() != src.type() || dst.length() != src.length()) {
            throw new IllegalArgumentException("copy: " + src.type() + " x " + src.length() + " into " + dst.type()
                    + " x " + dst.length());
        }
        if (dst.length() > 0) {
            call("elementwise", "copy_words").view(dst).view(src).longArg(dst.length())
                    .run(elementwiseGlobal(dst.length()), ELEMENTWISE_LOCAL);
        }
    }
}

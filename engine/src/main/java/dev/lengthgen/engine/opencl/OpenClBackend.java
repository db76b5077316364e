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


/**
 * The ops on an OpenCL device through JOCL. This class owns the device's memory, the command queue and profiling;
 * each op checks its arguments ({@link OpArguments}) and hands over to the launcher of its kernel family
 * ({@link MatmulKernels} and the others, one per .cl file), whose GPU or CPU-device variant ({@link KernelVariant})
 * is chosen once, when the backend opens. Ops enqueue kernels on one in-order queue and return at once;
 * {@link #download} and {@link #finish} wait. Reductions run in a fixed order, so the same inputs give the same bits
 * on every run on the same device.
 *
 * <p>The device's memory is kept by {@link DeviceBuffers}, which the class comment there explains: every buffer is
 * written in full when created, and the host writes whole buffers only.
 */
public final class OpenClBackend implements Backend {
    private final OpenClDevice device;
    private final KernelVariant variant;
    private final DeviceLimits limits;
    private final cl_context context;
    private final cl_command_queue queue;
    private final EventProfiler profiler = new EventProfiler();
    private final DeviceBuffers buffers;
    private final KernelLibrary library;
    private boolean closed;

    private final EncoderKernels encoder;
    private final LayernormKernels layernorm;
    private final MatmulKernels matmul;
    private final AttentionKernels attention;
    private final PositionKernels position;
    private final ElementwiseKernels elementwise;
    private final LossKernels loss;
    private final OptimizerKernels optimizer;
    private final DecodeKernels decode;

    /**
     * Opens a device chosen by {@link OpenClPlatforms#select}: an index, a name substring, or null for the default;
     * its kernel variant is the one for its type unless {@link KernelVariant#PROPERTY} forces one, and its limits are
     * its own unless lowered by {@link DeviceLimits#PROPERTY_PREFIX} properties.
     */
    public static OpenClBackend open(String deviceSpec) {
        OpenClDevice d = OpenClPlatforms.select(deviceSpec);
        return new OpenClBackend(d, KernelVariant.choose(d.type()), DeviceLimits.of(d));
    }

    /** Opens {@code device} with an explicit kernel variant (tests run both variants on one device). */
    public OpenClBackend(OpenClDevice device, KernelVariant variant) {
        this(device, variant, DeviceLimits.of(device));
    }

    /** Opens {@code device} with an explicit kernel variant and limits no larger than the device's own. */
    public OpenClBackend(OpenClDevice device, KernelVariant variant, DeviceLimits limits) {
        this.device = device;
        this.variant = variant;
        this.limits = limits;
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
            buffers = new DeviceBuffers(context, queue, profiler, limits, device.name());
        } catch (CLException | LinkageError e) {
            throw new BackendUnavailableException("cannot open OpenCL device " + device.summary() + ": "
                    + e.getMessage() + "; " + OpenClPlatforms.INSTALL_HINT, e);
        }
        library = new KernelLibrary(context, device.device());
        KernelLauncher launcher = new KernelLauncher(buffers, library, limits, queue, profiler);
        CommonKernels common = new CommonKernels(launcher);
        encoder = new EncoderKernels(launcher);
        layernorm = LayernormKernels.of(variant, launcher, common);
        matmul = MatmulKernels.of(variant, launcher, common);
        attention = AttentionKernels.of(variant, launcher);
        position = PositionKernels.of(variant, launcher);
        elementwise = ElementwiseKernels.of(variant, launcher);
        buffers.useKernels(elementwise);
        loss = LossKernels.of(variant, launcher);
        optimizer = new OptimizerKernels(launcher);
        decode = DecodeKernels.of(variant, launcher);
    }

    public OpenClDevice device() {
        return device;
    }

    public KernelVariant variant() {
        return variant;
    }

    /** The limits launches and allocations are held to. */
    public DeviceLimits limits() {
        return limits;
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
        CL.clReleaseProgram(KernelLibrary.build(context, device.device(), name, KernelFamily.COMMON.programSource()
                + KernelFamily.lineDirective(name) + source + "\n", KernelBuildOptions.LANGUAGE));
    }

    // ---- memory ----

    @Override
    public Memory allocate(DType type, long length, String label) {
        return buffers.allocate(type, length, label);
    }

    /** Releases one allocation now rather than at {@link #close()}. */
    public void release(Memory memory) {
        buffers.release(memory);
    }

    @Override
    public void upload(View dst, float[] src) {
        dst.require(DType.F32, src.length, "upload");
        buffers.write(dst, Pointer.to(src), (long) src.length * Sizeof.cl_float);
    }

    @Override
    public void upload(View dst, int[] src) {
        dst.require(DType.I32, src.length, "upload");
        buffers.write(dst, Pointer.to(src), (long) src.length * Sizeof.cl_int);
    }

    @Override
    public void download(View src, float[] dst) {
        src.require(DType.F32, 0, "download");
        checkDestination(src, dst.length);
        if (src.length() > 0) {
            CL.clEnqueueReadBuffer(queue, buffers.buffer(src), true, src.offset() * Sizeof.cl_float,
                    src.length() * Sizeof.cl_float, Pointer.to(dst), 0, null, profiler.next("download"));
        }
        collectTimings();
    }

    @Override
    public void download(View src, int[] dst) {
        src.require(DType.I32, 0, "download");
        checkDestination(src, dst.length);
        if (src.length() > 0) {
            CL.clEnqueueReadBuffer(queue, buffers.buffer(src), true, src.offset() * Sizeof.cl_int,
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

    /** dst written = value (F32 views). */
    public void fill(View dst, float value) {
        dst.require(DType.F32, dst.length(), "fill");
        elementwise.fill(buffers.buffer(dst), dst.offset(), dst.length(), Float.floatToRawIntBits(value));
    }

    /** dst written = value (I32 views). */
    public void fill(View dst, int value) {
        dst.require(DType.I32, dst.length(), "fill");
        elementwise.fill(buffers.buffer(dst), dst.offset(), dst.length(), value);
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

    /** Device time per kernel name (e.g. "gemm_rowblock", "pack_row_panels") since the last reset; waits first. */
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
        return limits.maxAllocationBytes();
    }

    @Override
    public long totalMemoryBytes() {
        return limits.globalMemoryBytes();
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
            library.close();
            buffers.close();
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        }
    }

    // ---- ops: the arguments checked, then the family's launcher ----

    @Override
    public void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C) {
        OpArguments.encoderForward(out, tokens, posIds, wte, wpe, N, C);
        encoder.forward(out, tokens, posIds, wte, wpe, N, C);
    }

    @Override
    public void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C) {
        OpArguments.encoderBackward(dwte, dwpe, dout, tokens, posIds, N, C);
        encoder.backward(dwte, dwpe, dout, tokens, posIds, N, C);
    }

    @Override
    public void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C) {
        OpArguments.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
        layernorm.forward(out, mean, rstd, inp, weight, bias, N, C);
    }

    @Override
    public void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean,
                                  View rstd, int N, int C) {
        OpArguments.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        layernorm.backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    }

    @Override
    public void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        OpArguments.matmulForward(out, inp, weight, bias, N, C, OC);
        matmul.forward(out, inp, weight, bias, N, C, OC);
    }

    @Override
    public void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C,
                               int OC) {
        OpArguments.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
        matmul.backward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
    }

    @Override
    public void attentionForward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) {
        OpArguments.attentionForward(out, preatt, att, qkv, bias, B, T, C, NH);
        attention.forward(out, preatt, att, qkv, bias, B, T, C, NH);
    }

    @Override
    public void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att,
                                  int B, int T, int C, int NH) {
        OpArguments.attentionBackward(dqkv, dpreatt, datt, dbias, dout, qkv, att, B, T, C, NH);
        attention.backward(dqkv, dpreatt, datt, dbias, dout, qkv, att, B, T, C, NH);
    }

    @Override
    public void rotaryForward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH) {
        int N = OpArguments.rotaryForward(out, qkv, posIds, base, B, T, C, NH);
        position.rotary(false, out, qkv, posIds, base, N, C, NH);
    }

    @Override
    public void rotaryBackward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH) {
        int N = OpArguments.rotaryBackward(dqkv, dout, posIds, base, B, T, C, NH);
        position.rotary(true, dqkv, dout, posIds, base, N, C, NH);
    }

    /** Bucket ids stay unchecked on the device: position.cl reads ids outside [0, K) as 0 and skips them. */
    @Override
    public void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K) {
        OpArguments.bucketBiasForward(bias, table, buckets, NH, T, K);
        position.bucketBiasForward(bias, table, buckets, NH, T, K);
    }

    @Override
    public void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K) {
        OpArguments.bucketBiasBackward(dtable, dbias, buckets, NH, T, K);
        position.bucketBiasBackward(dtable, dbias, buckets, NH, T, K);
    }

    @Override
    public void geluForward(View out, View inp, int N) {
        OpArguments.geluForward(out, inp, N);
        elementwise.geluForward(out, inp, N);
    }

    @Override
    public void geluBackward(View dinp, View inp, View dout, int N) {
        OpArguments.geluBackward(dinp, inp, dout, N);
        elementwise.geluBackward(dinp, inp, dout, N);
    }

    @Override
    public void residualForward(View out, View a, View b, int N) {
        OpArguments.residualForward(out, a, b, N);
        elementwise.residualForward(out, a, b, N);
    }

    @Override
    public void residualBackward(View da, View db, View dout, int N) {
        OpArguments.residualBackward(da, db, dout, N);
        elementwise.residualBackward(da, db, dout, N);
    }

    @Override
    public void gatherRowsForward(View out, View inp, View rows, int N, int M, int C) {
        OpArguments.gatherRowsForward(out, inp, rows, N, M, C);
        elementwise.gatherRowsForward(out, inp, rows, N, M, C);
    }

    @Override
    public void gatherRowsBackward(View dinp, View dout, View rows, int N, int M, int C) {
        OpArguments.gatherRowsBackward(dinp, dout, rows, N, M, C);
        elementwise.gatherRowsBackward(dinp, dout, rows, N, M, C);
    }

    @Override
    public void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
        OpArguments.dropoutForward(out, inp, p, key, N);
        elementwise.dropoutForward(out, inp, p, key, N);
    }

    @Override
    public void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N) {
        OpArguments.dropoutBackward(dinp, dout, p, key, N);
        elementwise.dropoutBackward(dinp, dout, p, key, N);
    }

    @Override
    public void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask,
                                    float dlossScale, int N, int V) {
        OpArguments.crossEntropyForward(losses, dlogits, logits, targets, mask, dlossScale, N, V);
        loss.crossEntropyForward(losses, dlogits, logits, targets, mask, dlossScale, N, V);
    }

    @Override
    public void sum(View out, View inp, long N) {
        OpArguments.sum(out, inp, N);
        loss.sum(out, inp, N, false);
    }

    @Override
    public void sumOfSquares(View out, View inp, long N) {
        OpArguments.sumOfSquares(out, inp, N);
        loss.sum(out, inp, N, true);
    }

    @Override
    public void argmax(View out, View logits, int N, int V) {
        OpArguments.argmax(out, logits, N, V);
        loss.argmax(out, logits, N, V);
    }

    @Override
    public void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr, float beta1,
                      float beta2, float eps, float weightDecay, int t, long N) {
        OpArguments.adamw(params, grads, m, v, normSquared, maxNorm, t, N);
        optimizer.adamw(params, grads, m, v, normSquared, maxNorm, lr, beta1, beta2, eps, weightDecay, t, N);
    }

    @Override
    public void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0) {
        OpArguments.kvCacheStore(kcache, vcache, qkv, B, T, C, NH, maxT, pos0);
        decode.kvCacheStore(kcache, vcache, qkv, B, T, C, NH, maxT, pos0);
    }

    @Override
    public void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH,
                                int maxT, int pos) {
        OpArguments.attentionDecode(out, qkv, kcache, vcache, bias, B, C, NH, maxT, pos);
        decode.attentionDecode(out, qkv, kcache, vcache, bias, B, C, NH, maxT, pos);
    }

    @Override
    public void zero(View dst) {
        OpArguments.zero(dst);
        elementwise.fill(buffers.buffer(dst), dst.offset(), dst.length(), 0);
    }

    @Override
    public void copy(View dst, View src) {
        OpArguments.copy(dst, src);
        elementwise.copy(dst, src);
    }
}

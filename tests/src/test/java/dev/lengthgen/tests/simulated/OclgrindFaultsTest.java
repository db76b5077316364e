package dev.lengthgen.tests.simulated;

import dev.lengthgen.engine.opencl.OpenClDevice;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minimal reproductions, on plain OpenCL calls, of the faults of Oclgrind 21.10's uninitialized-memory check that
 * the tier and the backend work around. Each shows the fault, then that the workaround avoids it; when a newer
 * Oclgrind no longer has a fault its test fails, saying which workaround can go.
 *
 * <ol>
 *   <li>The check does not know LLVM's "freeze" instruction, which clang's optimizer emits (for the quotient and
 *   remainder of one division, for instance): the simulator aborts every kernel that holds one, before it writes
 *   anything, with one "OCLGRIND FATAL ERROR". A step of training then computes from zeros (its loss is exactly
 *   ln V). Workaround: the tier compiles the kernels unoptimized (OCLGRIND_BUILD_OPTIONS=-cl-opt-disable).</li>
 *   <li>A host write (clEnqueueWriteBuffer, clEnqueueFillBuffer, which writes pattern by pattern) replaces the
 *   check's record of the whole buffer with a record as long as the write, starting at the buffer's start, and marks
 *   only that clean, whatever the write's offset: after a write into part of a buffer, values the host wrote read as
 *   uninitialized, and so do later kernel stores beyond the write's length. Workaround: the backend writes whole
 *   buffers only (a partial upload goes through a staging buffer and a copy kernel) and never fills from the host.</li>
 *   <li>The check keeps its record of a released buffer for the next buffer created at the same address (Oclgrind
 *   reuses them), at the old buffer's size: kernel stores beyond it are lost and read back as uninitialized.
 *   Workaround: the backend begins every buffer (up to 1 MiB, which the tier stays under) with one whole-buffer host
 *   write (zeros, or NaNs for scratch), which replaces the record.</li>
 * </ol>
 */
@SimulatedGpu
class OclgrindFaultsTest {
    private static final String KERNELS = String.join("\n",
            "__kernel void divrem(__global int* out, const int n, const int w) {",
            "    for (int l = get_local_id(0); l < n; l += get_local_size(0)) {",
            "        out[l] = (l / w) * 100 + l % w;",
            "    }",
            "}",
            "__kernel void set(__global float* x, const int from) {",
            "    x[from + get_global_id(0)] = 1.0f;",
            "}",
            "__kernel void increment(__global float* out, __global const float* in, const int from) {",
            "    out[get_global_id(0)] = in[from + get_global_id(0)] + 1.0f;",
            "}");
    private static final int N = 16;
    /**
     * Floats of a buffer larger than any the tier releases (the backend's stay under 1 MiB there), so that wherever
     * Oclgrind places it, the record it inherits is shorter; kernels touch only its last N elements.
     */
    private static final int LARGE = 1 << 19;

    private cl_context context;
    private cl_command_queue queue;

    @BeforeEach
    void open() {
        OpenClDevice d = Oclgrind.device();
        Oclgrind.beforeNewContext();
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, d.platform());
        context = CL.clCreateContext(props, 1, new cl_device_id[] {d.device()}, null, null, null);
        @SuppressWarnings("deprecation")
        cl_command_queue q = CL.clCreateCommandQueue(context, d.device(), 0, null);
        queue = q;
    }

    @AfterEach
    void close() {
        if (context != null) {
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        }
    }

    @Test
    void optimizedKernelsAreAbortedForTheirFreezeInstruction() {
        int[] optimized = divrem("-O2");
        List<String> reports = Oclgrind.takeReports();
        assertTrue(reports.stream().anyMatch(r -> r.contains("FATAL") && r.contains("freeze")),
                "Oclgrind ran an optimized kernel with the uninitialized-memory check on; the tier's "
                        + "OCLGRIND_BUILD_OPTIONS=-cl-opt-disable may go. Reports: " + reports);
        assertEquals(-1, optimized[5], "the aborted kernel wrote nothing");
        int[] unoptimized = divrem("");
        int[] want = new int[N];
        for (int l = 0; l < N; l++) {
            want[l] = (l / 4) * 100 + l % 4;
        }
        assertArrayEquals(want, unoptimized, "built as the tier builds (-cl-opt-disable)");
    }

    @Test
    void hostWritesIntoPartOfABufferReadAsUninitialized() {
        float[] ones = new float[N];
        Arrays.fill(ones, 1f);
        cl_mem halves = buffer();
        CL.clEnqueueWriteBuffer(queue, halves, true, 0, 4L * N / 2, Pointer.to(ones), 0, null, null);
        CL.clEnqueueWriteBuffer(queue, halves, true, 4L * N / 2, 4L * N / 2, Pointer.to(ones), 0, null, null);
        increment(halves, 0);
        expectReports("a buffer written in two halves", "the backend's staging of partial uploads");

        cl_mem filled = buffer();
        CL.clEnqueueFillBuffer(queue, filled, Pointer.to(new float[] {1f}), Sizeof.cl_float, 0, 4L * N, 0, null,
                null);
        increment(filled, 0);
        expectReports("a buffer filled by clEnqueueFillBuffer", "the backend's zeroing and fills by kernel");

        cl_mem whole = buffer();
        CL.clEnqueueWriteBuffer(queue, whole, true, 0, 4L * N, Pointer.to(ones), 0, null, null);
        increment(whole, 0);
        assertEquals(List.of(), Oclgrind.takeReports(), "a buffer written whole in one call");
    }

    @Test
    void aReleasedBuffersRecordCarriesOverToTheNextAtItsAddress() {
        cl_mem reused = largeAfterRelease();
        set(reused, LARGE - N);
        increment(reused, LARGE - N);
        expectReports("a buffer created where a smaller one was released, then written by a kernel",
                "the backend's whole-buffer host write of zeros into every new buffer");
        CL.clReleaseMemObject(reused);

        reused = largeAfterRelease();
        CL.clEnqueueWriteBuffer(queue, reused, true, 0, 4L * LARGE, Pointer.to(new float[LARGE]), 0, null, null);
        set(reused, LARGE - N);
        increment(reused, LARGE - N);
        assertEquals(List.of(), Oclgrind.takeReports(), "the same, begun with a whole-buffer host write");
        CL.clReleaseMemObject(reused);
    }

    /** A large buffer created right after a small one was released, so it takes a released buffer's place. */
    private cl_mem largeAfterRelease() {
        cl_mem small = buffer();
        CL.clEnqueueWriteBuffer(queue, small, true, 0, 4L * N, Pointer.to(new float[N]), 0, null, null);
        CL.clReleaseMemObject(small);
        return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 4L * LARGE, null, null);
    }

    private void expectReports(String what, String workaround) {
        List<String> reports = Oclgrind.takeReports();
        assertTrue(reports.stream().anyMatch(r -> r.startsWith("Uninitialized value")), "Oclgrind no longer "
                + "reports fully written memory as uninitialized after " + what + "; " + workaround
                + " may go");
    }

    private cl_mem buffer() {
        return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 4L * N, null, null);
    }

    private cl_kernel kernel(String name, String options) {
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {KERNELS}, null, null);
        CL.clBuildProgram(program, 0, null, options, null, null);
        return CL.clCreateKernel(program, name, null);
    }

    /** Runs divrem (n = 16, w = 4) in one work-group of 8 over a buffer holding -1s; returns the buffer. */
    private int[] divrem(String options) {
        int[] host = new int[N];
        Arrays.fill(host, -1);
        cl_mem out = buffer();
        CL.clEnqueueWriteBuffer(queue, out, true, 0, 4L * N, Pointer.to(host), 0, null, null);
        cl_kernel k = kernel("divrem", options);
        CL.clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(out));
        CL.clSetKernelArg(k, 1, Sizeof.cl_int, Pointer.to(new int[] {N}));
        CL.clSetKernelArg(k, 2, Sizeof.cl_int, Pointer.to(new int[] {4}));
        CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {8}, new long[] {8}, 0, null, null);
        CL.clEnqueueReadBuffer(queue, out, true, 0, 4L * N, Pointer.to(host), 0, null, null);
        return host;
    }

    /** Kernel stores into elements [from, from + N) of x. */
    private void set(cl_mem x, int from) {
        cl_kernel k = kernel("set", "");
        CL.clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(x));
        CL.clSetKernelArg(k, 1, Sizeof.cl_int, Pointer.to(new int[] {from}));
        CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {N}, null, 0, null, null);
        CL.clFinish(queue);
    }

    /** A kernel reads elements [from, from + N) of {@code in}; the results go to a fresh buffer. */
    private void increment(cl_mem in, int from) {
        cl_mem out = buffer();
        cl_kernel k = kernel("increment", "");
        CL.clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(out));
        CL.clSetKernelArg(k, 1, Sizeof.cl_mem, Pointer.to(in));
        CL.clSetKernelArg(k, 2, Sizeof.cl_int, Pointer.to(new int[] {from}));
        CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {N}, null, 0, null, null);
        CL.clFinish(queue);
        CL.clReleaseMemObject(out);
    }
}

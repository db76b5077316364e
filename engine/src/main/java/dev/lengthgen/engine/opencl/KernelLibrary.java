package dev.lengthgen.engine.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel families (kernels-opencl resources dev/lengthgen/kernels/FAMILY.cl), each compiled by the driver on
 * first use with common.cl in front and the run's fixed sizes as -D options, and their kernel objects. A family may
 * be built more than once with different extra options (the attention kernels per head size).
 */
final class KernelLibrary implements AutoCloseable {
    static final String RESOURCE_DIR = "dev/lengthgen/kernels/";
    static final String PRELUDE = "common";

    private final cl_context context;
    private final cl_device_id device;
    private final String options;
    private final Map<String, cl_program> programs = new HashMap<>();
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private final Map<cl_kernel, Long> groupLimits = new HashMap<>();

    KernelLibrary(cl_context context, cl_device_id device, String options) {
        this.context = context;
        this.device = device;
        this.options = options;
    }

    String options() {
        return options;
    }

    /**
     * The kernel {@code name} of {@code family}, building the family on first use.
     *
     * @param extraOptions more -D options for this build (e.g. a head size), "" for none; each distinct value is
     *                     a separate build
     */
    cl_kernel kernel(String family, String extraOptions, String name) {
        String key = family + " " + extraOptions + "/" + name;
        cl_kernel k = kernels.get(key);
        if (k == null) {
            k = CL.clCreateKernel(program(family, extraOptions), name, null);
            kernels.put(key, k);
        }
        return k;
    }

    /**
     * CL_KERNEL_WORK_GROUP_SIZE: the largest work-group this kernel can run with on the device, which may be below
     * the device's maximum for kernels that use many registers.
     */
    long maxGroupSize(cl_kernel kernel) {
        return groupLimits.computeIfAbsent(kernel, k -> {
            long[] size = new long[1];
            CL.clGetKernelWorkGroupInfo(k, device, CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(size),
                    null);
            return size[0];
        });
    }

    private cl_program program(String family, String extraOptions) {
        String key = family + " " + extraOptions;
        cl_program p = programs.get(key);
        if (p == null) {
            p = build(context, device, family, new String[] {source(PRELUDE), source(family)},
                    new String[] {PRELUDE, family}, extraOptions.isEmpty() ? options : options + " " + extraOptions);
            programs.put(key, p);
        }
        return p;
    }

    /**
     * Compiles sources for the device. Each source is preceded by a #line directive naming it, so the driver's
     * messages point at "matmul.cl:42" rather than at a line of the concatenation.
     *
     * @throws KernelBuildException with the driver's build log when the driver rejects the source
     */
    static cl_program build(cl_context context, cl_device_id device, String name, String[] sources,
                            String[] fileNames, String options) {
        String[] numbered = new String[sources.length];
        for (int i = 0; i < sources.length; i++) {
            numbered[i] = "#line 1 \"" + fileNames[i] + ".cl\"\n" + sources[i] + "\n";
        }
        cl_program program = CL.clCreateProgramWithSource(context, numbered.length, numbered, null, null);
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
            return program;
        } catch (CLException e) {
            String log = buildLog(program, device);
            CL.clReleaseProgram(program);
            throw new KernelBuildException(name, options, log.isBlank() ? e.getMessage() : log, e);
        }
    }

    static String buildLog(cl_program program, cl_device_id device) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        if (size[0] <= 1) {
            return "";
        }
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null);
        int n = bytes.length;
        while (n > 0 && bytes[n - 1] == 0) {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).strip();
    }

    /** The text of kernels-opencl resource FAMILY.cl. */
    static String source(String family) {
        String path = RESOURCE_DIR + family + ".cl";
        try (InputStream in = KernelLibrary.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + path + " is not on the class path "
                        + "(the kernels-opencl module is missing from this build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    @Override
    public void close() {
        kernels.values().forEach(CL::clReleaseKernel);
        kernels.clear();
        groupLimits.clear();
        programs.values().forEach(CL::clReleaseProgram);
        programs.clear();
    }
}

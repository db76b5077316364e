package dev.lengthgen.engine.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel families, each compiled by the driver on first use with common.cl in front and its
 * {@link KernelBuildOptions}, and their kernel objects with what the driver says about each (the largest work-group
 * it runs, the local memory it declares). A family is built once per distinct set of options (attention per head
 * size, for instance).
 */
final class KernelLibrary implements AutoCloseable {
    /** A kernel object of one build, with its per-device facts read once. */
    record Built(cl_kernel handle, Kernel kernel, long maxGroupSize, long localMemoryBytes) {
    }

    private final cl_context context;
    private final cl_device_id device;
    private final Map<KernelBuildOptions, cl_program> programs = new HashMap<>();
    private final Map<KernelBuildOptions, Map<Kernel, Built>> kernels = new HashMap<>();

    KernelLibrary(cl_context context, cl_device_id device) {
        this.context = context;
        this.device = device;
    }

    /**
     * {@code kernel} from the build of its family with {@code options}, building the family on first use.
     *
     * @throws KernelBuildException with the driver's log when the driver rejects the source
     */
    Built kernel(Kernel kernel, KernelBuildOptions options) {
        if (kernel.family() != options.family()) {
            throw new IllegalArgumentException(kernel + " is in " + kernel.family().fileName() + ".cl, not in the "
                    + options.family().fileName() + ".cl build");
        }
        return kernels.computeIfAbsent(options, o -> new HashMap<>()).computeIfAbsent(kernel, k -> {
            cl_kernel handle = CL.clCreateKernel(program(options), k.clName(), null);
            long[] size = new long[1];
            CL.clGetKernelWorkGroupInfo(handle, device, CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t,
                    Pointer.to(size), null);
            long[] local = new long[1];
            CL.clGetKernelWorkGroupInfo(handle, device, CL.CL_KERNEL_LOCAL_MEM_SIZE, Sizeof.cl_ulong,
                    Pointer.to(local), null);
            return new Built(handle, k, size[0], local[0]);
        });
    }

    private cl_program program(KernelBuildOptions options) {
        cl_program p = programs.get(options);
        if (p == null) {
            p = build(context, device, options.family().fileName(), options.family().programSource(),
                    options.compilerOptions());
            programs.put(options, p);
        }
        return p;
    }

    /**
     * Compiles a program text (see {@link KernelFamily#programSource()}) for the device.
     *
     * @throws KernelBuildException with the driver's build log when the driver rejects the source
     */
    static cl_program build(cl_context context, cl_device_id device, String name, String source, String options) {
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
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

    @Override
    public void close() {
        kernels.values().forEach(m -> m.values().forEach(b -> CL.clReleaseKernel(b.handle())));
        kernels.clear();
        programs.values().forEach(CL::clReleaseProgram);
        programs.clear();
    }
}

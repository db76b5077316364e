package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.BackendUnavailableException;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Finds the OpenCL platforms and devices of this machine and selects one by index or by name. */
public final class OpenClPlatforms {

    /** What to tell a user who has no OpenCL runtime. */
    public static final String INSTALL_HINT = "install an OpenCL runtime, e.g. `apt-get install pocl-opencl-icd` on "
            + "Debian/Ubuntu (a CPU device), or a GPU driver with OpenCL support";

    /** ocl-icd's answer when no vendor driver (ICD) is registered. */
    private static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    private OpenClPlatforms() {
    }

    /**
     * Every device of every platform, in selection-index order.
     *
     * @throws BackendUnavailableException with {@link #INSTALL_HINT} when there is no OpenCL loader, no platform or no
     *                                     device
     */
    public static List<OpenClDevice> devices() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            try {
                CL.clGetPlatformIDs(0, null, count);
            } catch (CLException e) {
                if (e.getStatus() == CL_PLATFORM_NOT_FOUND_KHR) {
                    throw unavailable("no OpenCL platform is installed", null);
                }
                throw e;
            }
            if (count[0] == 0) {
                throw unavailable("no OpenCL platform is installed", null);
            }
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            CL.clGetPlatformIDs(platforms.length, platforms, null);
            List<OpenClDevice> out = new ArrayList<>();
            for (int p = 0; p < platforms.length; p++) {
                String platformName = platformString(platforms[p], CL.CL_PLATFORM_NAME);
                int[] n = new int[1];
                try {
                    CL.clGetDeviceIDs(platforms[p], CL.CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (CLException e) {
                    if (e.getStatus() == CL.CL_DEVICE_NOT_FOUND) {
                        continue;   // a platform without devices is not an error
                    }
                    throw e;
                }
                cl_device_id[] ids = new cl_device_id[n[0]];
                CL.clGetDeviceIDs(platforms[p], CL.CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                for (int d = 0; d < ids.length; d++) {
                    out.add(describe(out.size(), p, platformName, d, platforms[p], ids[d]));
                }
            }
            if (out.isEmpty()) {
                throw unavailable("OpenCL is installed but no platform offers a device", null);
            }
            return List.copyOf(out);
        } catch (LinkageError e) {
            // JOCL's native library, or the libOpenCL.so.1 it loads, is missing.
            throw unavailable("no OpenCL library could be loaded (" + e.getMessage() + ")", e);
        } catch (CLException e) {
            throw unavailable("the OpenCL runtime failed to list devices (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Picks a device: {@code spec} is a selection index ("0") or a case-insensitive substring of the device or
     * platform name ("h100", "pocl"); null or empty picks the first GPU, else the first device.
     */
    public static OpenClDevice select(String spec) {
        List<OpenClDevice> all = devices();
        if (spec == null || spec.isBlank()) {
            return all.stream().filter(d -> d.type() == OpenClDevice.Type.GPU).findFirst().orElse(all.get(0));
        }
        String s = spec.trim();
        if (s.chars().allMatch(Character::isDigit)) {
            int i = Integer.parseInt(s);
            if (i >= all.size()) {
                throw new BackendUnavailableException("no OpenCL device #" + i + ": " + listing(all)
                        + " (run 'lengthgen devices')");
            }
            return all.get(i);
        }
        String needle = s.toLowerCase(Locale.ROOT);
        for (OpenClDevice d : all) {
            if (d.name().toLowerCase(Locale.ROOT).contains(needle)) {
                return d;
            }
        }
        for (OpenClDevice d : all) {
            if (d.platformName().toLowerCase(Locale.ROOT).contains(needle)) {
                return d;
            }
        }
        throw new BackendUnavailableException("no OpenCL device matches '" + s + "': " + listing(all)
                + " (run 'lengthgen devices')");
    }

    /** True when some OpenCL device of type GPU exists; false (not an exception) without any runtime. */
    public static boolean hasGpu() {
        try {
            return devices().stream().anyMatch(d -> d.type() == OpenClDevice.Type.GPU);
        } catch (BackendUnavailableException e) {
            return false;
        }
    }

    private static String listing(List<OpenClDevice> all) {
        StringBuilder b = new StringBuilder("available are");
        for (OpenClDevice d : all) {
            b.append(b.length() > 13 ? ", " : " ").append('#').append(d.index()).append(' ').append(d.name());
        }
        return b.toString();
    }

    private static BackendUnavailableException unavailable(String what, Throwable cause) {
        return new BackendUnavailableException("OpenCL unavailable: " + what + "; " + INSTALL_HINT, cause);
    }

    private static OpenClDevice describe(int index, int platformIndex, String platformName, int indexInPlatform,
                                         cl_platform_id platform, cl_device_id id) {
        long type = deviceLong(id, CL.CL_DEVICE_TYPE);
        OpenClDevice.Type t = (type & CL.CL_DEVICE_TYPE_GPU) != 0 ? OpenClDevice.Type.GPU
                : (type & CL.CL_DEVICE_TYPE_CPU) != 0 ? OpenClDevice.Type.CPU
                : (type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? OpenClDevice.Type.ACCELERATOR
                : OpenClDevice.Type.OTHER;
        return new OpenClDevice(index, platformIndex, platformName, indexInPlatform,
                deviceString(id, CL.CL_DEVICE_NAME), t, deviceInt(id, CL.CL_DEVICE_MAX_COMPUTE_UNITS),
                deviceLong(id, CL.CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(id, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                deviceSize(id, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE), deviceLong(id, CL.CL_DEVICE_LOCAL_MEM_SIZE),
                deviceInt(id, CL.CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT), deviceString(id, CL.CL_DEVICE_VERSION),
                platform, id);
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    /** size_t-valued device info (e.g. CL_DEVICE_MAX_WORK_GROUP_SIZE). */
    static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).trim();
    }
}

package dev.lengthgen.engine.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovery found it.
 *
 * @param index             the number that selects it ({@code --device N}): its position in the list of all devices
 *                          of all platforms, platforms in the driver's order
 * @param platformIndex     the platform's position among platforms
 * @param platformName      e.g. "NVIDIA CUDA", "Portable Computing Language"
 * @param indexInPlatform   the device's position within its platform
 * @param name              the device name, e.g. "NVIDIA H100 80GB HBM3"
 * @param type              GPU, CPU, ACCELERATOR or OTHER
 * @param computeUnits      CL_DEVICE_MAX_COMPUTE_UNITS
 * @param globalMemoryBytes CL_DEVICE_GLOBAL_MEM_SIZE
 * @param maxAllocationBytes CL_DEVICE_MAX_MEM_ALLOC_SIZE: the most one buffer may hold
 * @param maxWorkGroupSize  CL_DEVICE_MAX_WORK_GROUP_SIZE: work-items per work-group
 * @param localMemoryBytes  CL_DEVICE_LOCAL_MEM_SIZE: local memory per work-group
 * @param nativeFloatWidth  CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT
 * @param openClVersion     CL_DEVICE_VERSION, e.g. "OpenCL 3.0 CUDA"
 * @param platform          the driver's platform handle
 * @param device            the driver's device handle
 */
public record OpenClDevice(int index, int platformIndex, String platformName, int indexInPlatform, String name,
                           Type type, int computeUnits, long globalMemoryBytes, long maxAllocationBytes,
                           long maxWorkGroupSize, long localMemoryBytes, int nativeFloatWidth,
                           String openClVersion, cl_platform_id platform, cl_device_id device) {

    /** CL_DEVICE_TYPE, reduced to what kernel selection cares about. */
    public enum Type {
        GPU, CPU, ACCELERATOR, OTHER
    }

    /** One line for start-of-run messages, e.g. "#0 NVIDIA H100 (GPU, 132 CU, 79.6 GiB, OpenCL 3.0 CUDA)". */
    public String summary() {
        return String.format("#%d %s (%s, %d CU, %s, %s; platform %s)", index, name, type, computeUnits,
                gibibytes(globalMemoryBytes), openClVersion, platformName);
    }

    static String gibibytes(long bytes) {
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
}

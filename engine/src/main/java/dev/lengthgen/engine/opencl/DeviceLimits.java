package dev.lengthgen.engine.opencl;

import java.util.Properties;

/**
 * The limits of a device that the backend sizes its work by: launch geometry (work-group sizes, which are further
 * capped per kernel by CL_KERNEL_WORK_GROUP_SIZE), local memory per work-group, and the memory a model may take.
 * Read from the device, and lowered, never raised, by system properties, so that a small device can be imitated on
 * a large one (the tests do; so can a user who wants to see what a smaller GPU would run):
 * {@code -Dlengthgen.opencl.maxWorkGroupSize=64 -Dlengthgen.opencl.localMemoryBytes=16384}, likewise
 * {@code maxAllocationBytes} and {@code globalMemoryBytes}.
 *
 * @param maxWorkGroupSize   CL_DEVICE_MAX_WORK_GROUP_SIZE: work-items per work-group
 * @param localMemoryBytes   CL_DEVICE_LOCAL_MEM_SIZE: local memory per work-group
 * @param maxAllocationBytes CL_DEVICE_MAX_MEM_ALLOC_SIZE: the most one buffer may hold
 * @param globalMemoryBytes  CL_DEVICE_GLOBAL_MEM_SIZE: all buffers together
 * @param nativeFloatWidth   CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT: the CPU kernels' register blocking follows it
 */
public record DeviceLimits(long maxWorkGroupSize, long localMemoryBytes, long maxAllocationBytes,
                           long globalMemoryBytes, int nativeFloatWidth) {

    /** Prefix of the system properties that lower a limit, e.g. "lengthgen.opencl.maxWorkGroupSize". */
    public static final String PROPERTY_PREFIX = "lengthgen.opencl.";

    public DeviceLimits {
        if (maxWorkGroupSize < 1 || localMemoryBytes < 0 || maxAllocationBytes < 1 || globalMemoryBytes < 1) {
            throw new IllegalArgumentException("device limits must be positive: work-group " + maxWorkGroupSize
                    + ", local memory " + localMemoryBytes + ", allocation " + maxAllocationBytes + ", global memory "
                    + globalMemoryBytes);
        }
    }

    /** The device's own limits, lowered by the system properties. */
    public static DeviceLimits of(OpenClDevice device) {
        return new DeviceLimits(device.maxWorkGroupSize(), device.localMemoryBytes(), device.maxAllocationBytes(),
                device.globalMemoryBytes(), device.nativeFloatWidth()).loweredBy(System.getProperties());
    }

    /**
     * These limits lowered by the properties {@link #PROPERTY_PREFIX}NAME (NAME a component of this record other than
     * the vector width); a value above the device's own is ignored.
     *
     * @throws IllegalArgumentException naming the property when a value is not a positive whole number
     */
    public DeviceLimits loweredBy(Properties properties) {
        return new DeviceLimits(lowered(properties, "maxWorkGroupSize", maxWorkGroupSize),
                lowered(properties, "localMemoryBytes", localMemoryBytes),
                lowered(properties, "maxAllocationBytes", maxAllocationBytes),
                lowered(properties, "globalMemoryBytes", globalMemoryBytes), nativeFloatWidth);
    }

    /** These limits with the work-group size and local memory lowered to at most the given values. */
    public DeviceLimits lowered(long maxWorkGroup, long localMemory) {
        return new DeviceLimits(Math.min(maxWorkGroupSize, maxWorkGroup), Math.min(localMemoryBytes, localMemory),
                maxAllocationBytes, globalMemoryBytes, nativeFloatWidth);
    }

    private static long lowered(Properties properties, String name, long deviceValue) {
        String text = properties.getProperty(PROPERTY_PREFIX + name);
        if (text == null || text.isBlank()) {
            return deviceValue;
        }
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1) {
            throw new IllegalArgumentException("-D" + PROPERTY_PREFIX + name + "=" + text
                    + ": give a positive whole number (bytes or work-items)");
        }
        return Math.min(deviceValue, value);
    }

    @Override
    public String toString() {
        return String.format("work-groups of up to %d, %,d bytes of local memory, %,d per buffer, %,d in all",
                maxWorkGroupSize, localMemoryBytes, maxAllocationBytes, globalMemoryBytes);
    }
}

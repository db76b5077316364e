package dev.lengthgen.engine.opencl;

/** An allocation does not fit the device; the message names the bytes needed, the limit, and what to reduce. */
public class DeviceMemoryException extends RuntimeException {
    public DeviceMemoryException(String message) {
        super(message);
    }

    public DeviceMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}

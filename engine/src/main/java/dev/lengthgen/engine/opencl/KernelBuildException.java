package dev.lengthgen.engine.opencl;

/** The OpenCL driver rejected a kernel source; the message carries the driver's build log. */
public class KernelBuildException extends RuntimeException {
    private final String buildLog;

    public KernelBuildException(String family, String options, String buildLog, Throwable cause) {
        super("OpenCL kernels '" + family + "' failed to build (options: " + options + "):\n" + buildLog, cause);
        this.buildLog = buildLog;
    }

    /** The driver's build log, as the driver wrote it. */
    public String buildLog() {
        return buildLog;
    }
}

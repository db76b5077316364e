package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.opencl.OpenClDevice;
import dev.lengthgen.engine.opencl.OpenClPlatforms;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finds the OpenCL device the tests run on: the one -Dlengthgen.opencl.device names (an index or a name substring, as
 * --device takes it), else the first GPU, else the first device. Where there is none the tests are skipped with how to
 * install a runtime; under LENGTHGEN_REQUIRE_OPENCL=1 (set by .ci/run after installing PoCL) that is a failure
 * instead.
 */
public final class OpenClAvailability {
    static final String REQUIRE = "LENGTHGEN_REQUIRE_OPENCL";
    /** System property that picks the device the OpenCL tests run on (bench/gpu-check.sh sets it). */
    public static final String DEVICE_PROPERTY = "lengthgen.opencl.device";

    private OpenClAvailability() {
    }

    /** What -Dlengthgen.opencl.device says, or null for the default device; for {@code Backends.open}. */
    public static String deviceSpec() {
        String spec = System.getProperty(DEVICE_PROPERTY);
        return spec == null || spec.isBlank() ? null : spec;
    }

    /** The device the tests run on (see the class comment), or the test is skipped / failed. */
    static OpenClDevice device() {
        try {
            return OpenClPlatforms.select(deviceSpec());
        } catch (BackendUnavailableException e) {
            String message = "no OpenCL device: " + e.getMessage();
            if ("1".equals(System.getenv(REQUIRE))) {
                fail(message + " (" + REQUIRE + "=1 requires one)");
            }
            Assumptions.abort(message + " (the OpenCL tests are skipped until then)");
            throw e;
        }
    }

    /** A backend on the default device with the kernels of {@code variant}. */
    static OpenClBackend open(KernelVariant variant) {
        return new OpenClBackend(device(), variant);
    }

    /** A backend on the default device with the kernels its type selects. */
    static OpenClBackend open() {
        OpenClDevice d = device();
        return new OpenClBackend(d, KernelVariant.forDevice(d.type()));
    }
}

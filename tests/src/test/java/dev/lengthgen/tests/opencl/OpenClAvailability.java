package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.opencl.OpenClDevice;
import dev.lengthgen.engine.opencl.OpenClPlatforms;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finds the OpenCL device the tests run on. Where there is none the tests are skipped with how to install a runtime;
 * under LENGTHGEN_REQUIRE_OPENCL=1 (set by .ci/run after installing PoCL) that is a failure instead.
 */
final class OpenClAvailability {
    static final String REQUIRE = "LENGTHGEN_REQUIRE_OPENCL";

    private OpenClAvailability() {
    }

    /** The default device (the first GPU, else the first device), or the test is skipped / failed. */
    static OpenClDevice device() {
        try {
            return OpenClPlatforms.select(null);
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

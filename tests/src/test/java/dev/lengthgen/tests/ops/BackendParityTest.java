package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.Backends;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.tests.opencl.OpenClAvailability;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every op of the catalog, forward and backward, at both shapes, on a backend against the reference backend from
 * identical fp32 inputs, each output within its case's stated tolerance. Prints one line per case (its worst output)
 * and the largest parity error per op. Run one backend or a few ops with
 * {@code -Dtest='BackendParityTest' -Dlengthgen.ops=matmul,attention}.
 *
 * <p>A backend that cannot be opened here is skipped with the reason, except OpenCL under
 * {@code LENGTHGEN_REQUIRE_OPENCL=1} (CI installs PoCL and sets it), where that is a failure.
 */
class BackendParityTest {

    @ParameterizedTest(name = "{0} vs reference")
    @ValueSource(strings = {"cpu", "opencl"})
    void everyOpMatchesReference(String name) {
        try (Backend backend = open(name); ReferenceBackend reference = new ReferenceBackend()) {
            System.out.println("parity: " + backend.describe());
            ParityCheck.Report report = ParityCheck.run(backend, reference, OpCatalog.selected(OpCatalog.all()));
            report.caseLines().forEach(System.out::println);
            report.opLines().forEach(System.out::println);
            if (!report.failures().isEmpty()) {
                fail(report.failureMessage());
            }
        }
    }

    static Backend open(String name) {
        try {
            return Backends.open(name, name.equals("opencl") ? OpenClAvailability.deviceSpec() : null, 0);
        } catch (BackendUnavailableException e) {
            if (name.equals("opencl")) {
                String message = "the opencl backend is unavailable: " + e.getMessage();
                if ("1".equals(System.getenv("LENGTHGEN_REQUIRE_OPENCL"))) {
                    fail(message + " (LENGTHGEN_REQUIRE_OPENCL=1 requires it)");
                }
                Assumptions.abort(message + ". To run the OpenCL parity tests install an OpenCL runtime, e.g. PoCL's "
                        + "CPU device on Debian/Ubuntu: apt-get install pocl-opencl-icd ocl-icd-libopencl1");
            }
            Assumptions.abort("the " + name + " backend is not available here: " + e.getMessage());
            throw e;
        }
    }
}

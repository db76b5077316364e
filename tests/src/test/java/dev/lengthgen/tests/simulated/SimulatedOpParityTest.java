package dev.lengthgen.tests.simulated;

import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.tests.ops.OpCatalog;
import dev.lengthgen.tests.ops.ParityCheck;
import dev.lengthgen.tests.ops.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every op of the catalog, forward and backward, on the simulated GPU against the reference, at {@link Shape#TINY}:
 * both kernel variants at the simulator's own limits, and the GPU kernels within a small device's (work-groups of 64,
 * 16 KiB of local memory).
 */
@SimulatedGpu
class SimulatedOpParityTest {

    @ParameterizedTest
    @EnumSource(KernelVariant.class)
    void everyOpMatchesReference(KernelVariant variant) {
        check(Oclgrind.backend(variant));
    }

    @Test
    void everyOpMatchesReferenceWithinSmallLimits() {
        check(Oclgrind.smallDevice(KernelVariant.GPU, 64));
    }

    private static void check(OpenClBackend simulated) {
        try (OpenClBackend backend = simulated; ReferenceBackend reference = new ReferenceBackend()) {
            System.out.println("parity: " + backend.describe() + ", " + backend.limits());
            ParityCheck.Report report = ParityCheck.run(backend, reference, OpCatalog.at(Shape.TINY));
            report.opLines().forEach(System.out::println);
            if (!report.failures().isEmpty()) {
                fail(report.failureMessage());
            }
        }
    }
}

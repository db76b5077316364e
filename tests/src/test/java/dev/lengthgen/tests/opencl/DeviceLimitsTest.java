package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.Backends;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.opencl.DeviceLimits;
import dev.lengthgen.engine.opencl.DeviceMemoryException;
import dev.lengthgen.engine.opencl.KernelBuildOptions;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.opencl.OpenClDevice;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.tests.ops.OpCatalog;
import dev.lengthgen.tests.ops.ParityCheck;
import dev.lengthgen.tests.ops.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The backend sizes its launches by the device's limits, read from the device and lowered by system properties: on
 * this machine's device, lowered to a small GPU's (work-groups of 32 or 64 work-items, 16 or 4 KiB of local memory),
 * every op still matches the reference (and every launch is checked against the lowered limits before it is
 * enqueued), and a model that needs more memory than the device has is refused, in one line, before anything is
 * allocated.
 */
class DeviceLimitsTest {

    @Test
    void propertiesLowerTheDevicesLimitsAndNeverRaiseThem() {
        DeviceLimits device = new DeviceLimits(1024, 65536, 1L << 30, 4L << 30, 8);
        Properties p = new Properties();
        p.setProperty("lengthgen.opencl.maxWorkGroupSize", "64");
        p.setProperty("lengthgen.opencl.localMemoryBytes", "16384");
        p.setProperty("lengthgen.opencl.globalMemoryBytes", "" + (8L << 30));
        DeviceLimits lowered = device.loweredBy(p);
        assertEquals(new DeviceLimits(64, 16384, 1L << 30, 4L << 30, 8), lowered);
        p.setProperty("lengthgen.opencl.maxAllocationBytes", "lots");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> device.loweredBy(p));
        assertTrue(e.getMessage().contains("-Dlengthgen.opencl.maxAllocationBytes=lots"), e.getMessage());
    }

    @Test
    void gemmTilesShrinkToFitTheWorkGroupAndLocalMemory() {
        assertEquals(64, KernelBuildOptions.GemmBlocking.forDevice(limits(256, 32 << 10)).tile());
        assertEquals(32, KernelBuildOptions.GemmBlocking.forDevice(limits(64, 16 << 10)).tile());
        assertEquals(16, KernelBuildOptions.GemmBlocking.forDevice(limits(32, 16 << 10)).tile());
        assertEquals(16, KernelBuildOptions.GemmBlocking.forDevice(limits(1024, 4 << 10)).tile());
        assertThrows(IllegalStateException.class, () -> KernelBuildOptions.GemmBlocking.forDevice(limits(8, 1024)));
    }

    private static DeviceLimits limits(long workGroup, long localMemory) {
        return new DeviceLimits(workGroup, localMemory, 1L << 30, 4L << 30, 16);
    }

    @ParameterizedTest(name = "{0} kernels, work-groups of {1}, {2} bytes of local memory")
    @CsvSource({"GPU, 32, 16384", "GPU, 64, 4096", "CPU, 32, 16384"})
    void everyOpMatchesReferenceWithinSmallLimits(KernelVariant variant, int workGroup, int localMemory) {
        OpenClDevice d = OpenClAvailability.device();
        DeviceLimits small = DeviceLimits.of(d).lowered(workGroup, localMemory);
        try (OpenClBackend backend = new OpenClBackend(d, variant, small);
             ReferenceBackend reference = new ReferenceBackend()) {
            System.out.println("parity: " + backend.describe() + ", " + backend.limits());
            ParityCheck.Report report = ParityCheck.run(backend, reference, OpCatalog.at(Shape.SMALL));
            report.opLines().forEach(System.out::println);
            if (!report.failures().isEmpty()) {
                fail(report.failureMessage());
            }
        }
    }

    @Test
    void limitsComeFromTheSystemProperties() {
        OpenClAvailability.device();
        String[] names = {"lengthgen.opencl.maxWorkGroupSize", "lengthgen.opencl.localMemoryBytes"};
        try {
            System.setProperty(names[0], "32");
            System.setProperty(names[1], "16384");
            try (OpenClBackend backend = (OpenClBackend) Backends.open("opencl", OpenClAvailability.deviceSpec(),
                    0)) {
                assertTrue(backend.limits().maxWorkGroupSize() <= 32, backend.limits().toString());
                assertTrue(backend.limits().localMemoryBytes() <= 16384, backend.limits().toString());
            }
        } finally {
            for (String n : names) {
                System.clearProperty(n);
            }
        }
    }

    @Test
    void aModelThatDoesNotFitIsRefusedBeforeAllocation() {
        OpenClDevice d = OpenClAvailability.device();
        GptConfig config = GptConfig.preset("micro");
        DeviceLimits device = DeviceLimits.of(d);
        DeviceLimits small = new DeviceLimits(device.maxWorkGroupSize(), device.localMemoryBytes(),
                device.maxAllocationBytes(), 16L << 20, device.nativeFloatWidth());
        try (OpenClBackend backend = new OpenClBackend(d, KernelVariant.forDevice(d.type()), small)) {
            GptModel model = new GptModel(config, backend);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, 64, 65, AdamWConfig.paper(), 1));
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertTrue(e.getMessage().contains("reduce --batch"), e.getMessage());
            // the parameters (3.3 MB) took their part; the rest is still free: nothing more was allocated
            backend.allocate(DType.F32, 3L << 20, "what is left");
            assertThrows(DeviceMemoryException.class, () -> backend.allocate(DType.F32, 1L << 20, "too much"));
        }
    }
}

package dev.lengthgen.tests.simulated;

import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.opencl.DeviceLimits;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.opencl.OpenClDevice;
import dev.lengthgen.engine.opencl.OpenClPlatforms;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Oclgrind device (an OpenCL 1.2 GPU simulator) of the simulated-GPU tier, and the reports its checks write.
 *
 * <p>The tier's JVM (tests/pom.xml, execution "simulated-gpu") gets the environment the OpenCL ICD loader and
 * Oclgrind read when they load: OCL_ICD_VENDORS, the Oclgrind ICD library itself, so that no other driver is seen;
 * OCLGRIND_DATA_RACES, OCLGRIND_UNINITIALIZED and OCLGRIND_CHECK_API, the checks (out-of-bounds accesses are always
 * checked); OCLGRIND_LOG, the file the reports go to; and OCLGRIND_BUILD_OPTIONS=-cl-opt-disable, because
 * Oclgrind 21.10's uninitialized-memory check aborts every kernel whose optimized code holds a "freeze" instruction
 * ({@link OclgrindFaultsTest}).
 *
 * <p>Every OpenCL context Oclgrind creates opens the log anew, truncating it, and writes to it from its own position:
 * so the tier holds one simulator context at a time and creates each through {@link #backend} or
 * {@link #beforeNewContext}, which read what the log holds before it is truncated.
 *
 * <p>Without Oclgrind the tier is skipped with one line; under LENGTHGEN_REQUIRE_GPU_CHECKS=1 (.ci/run sets it) that
 * is a failure.
 */
final class Oclgrind {
    static final String TAG = "simulated-gpu";
    static final String REQUIRE = "LENGTHGEN_REQUIRE_GPU_CHECKS";
    /** The environment the tier must run with: the checks, and where their reports go. */
    static final List<String> SETTINGS = List.of("OCLGRIND_DATA_RACES", "OCLGRIND_UNINITIALIZED",
            "OCLGRIND_CHECK_API", "OCLGRIND_BUILD_OPTIONS", "OCLGRIND_LOG");

    private static OpenClDevice device;
    private static String unavailable;
    /** How much of the log has been read. */
    private static long logRead;
    /** Whether a context was created since the log was last read, which started the log over. */
    private static boolean truncated;
    /** Reports read from the log and not yet taken. */
    private static final List<String> pending = new ArrayList<>();

    private Oclgrind() {
    }

    /** A backend on the simulator, at its own limits. */
    static OpenClBackend backend(KernelVariant variant) {
        OpenClDevice d = device();
        beforeNewContext();
        return new OpenClBackend(d, variant);
    }

    /**
     * A backend on the simulator whose GPU kernels run within a small device's limits, work-groups of
     * {@code workGroup} and 16 KiB of local memory. The interpreter's time grows with the work-items of a group (a
     * training step takes seconds at 32, a minute at the simulator's own 1024), so most of the tier runs so.
     */
    static OpenClBackend smallDevice(KernelVariant variant, int workGroup) {
        OpenClDevice d = device();
        beforeNewContext();
        return new OpenClBackend(d, variant, DeviceLimits.of(d).lowered(workGroup, 16 << 10));
    }

    /** Reads the log before a new simulator context starts it over; call right before creating one. */
    static synchronized void beforeNewContext() {
        read();
        truncated = true;
    }

    /** The simulator's device, or the test is skipped (failed under {@link #REQUIRE}). */
    static synchronized OpenClDevice device() {
        if (device == null && unavailable == null) {
            unavailable = find();
            if (unavailable != null) {
                System.out.println("simulated-GPU tier skipped: " + unavailable);
            }
        }
        if (unavailable != null) {
            if ("1".equals(System.getenv(REQUIRE))) {
                fail(unavailable + " (" + REQUIRE + "=1 requires the simulated-GPU tier)");
            }
            Assumptions.abort(unavailable);
        }
        return device;
    }

    private static String find() {
        for (String setting : SETTINGS) {
            if (System.getenv(setting) == null) {
                return setting + " is not set: run the tier as tests/pom.xml's simulated-gpu execution does";
            }
        }
        String install = "install Oclgrind (apt-get install oclgrind) or point -Doclgrind.icd at its "
                + "liboclgrind-rt-icd.so";
        List<OpenClDevice> all;
        try {
            all = OpenClPlatforms.devices();
        } catch (BackendUnavailableException e) {
            return "the OpenCL loader finds no Oclgrind driver at OCL_ICD_VENDORS=" + System.getenv("OCL_ICD_VENDORS")
                    + "; " + install;
        }
        for (OpenClDevice d : all) {
            if (d.name().contains("Oclgrind")) {
                device = d;
                return null;
            }
        }
        return "no Oclgrind device among " + all.stream().map(OpenClDevice::name).toList() + "; " + install;
    }

    /** The reports written since the last call (blank-line separated blocks), which are thereby taken. */
    static synchronized List<String> takeReports() {
        read();
        List<String> taken = List.copyOf(pending);
        pending.clear();
        return taken;
    }

    /** Moves what the log holds beyond what was read into {@link #pending}. */
    private static void read() {
        String log = System.getenv("OCLGRIND_LOG");
        if (log == null) {
            return;
        }
        Path path = Path.of(log);
        if (truncated) {
            logRead = 0;
            truncated = false;
        }
        String text;
        try {
            if (!Files.exists(path)) {
                return;
            }
            byte[] all = Files.readAllBytes(path);
            if (all.length <= logRead) {
                return;
            }
            text = new String(all, (int) logRead, (int) (all.length - logRead), StandardCharsets.UTF_8);
            logRead = all.length;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the Oclgrind log " + path, e);
        }
        for (String block : text.split("\\n\\s*\\n")) {
            if (!block.isBlank()) {
                pending.add(block.strip());
            }
        }
    }
}

package dev.lengthgen.tests.simulated;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Fails a test of the simulated-GPU tier when Oclgrind wrote a report while it ran (a data race, a read of memory
 * nobody wrote, an out-of-bounds access, an invalid API call, a kernel the simulator aborted). Reports from before the
 * test are not its own and are dropped; a test that expects reports takes them itself ({@link Oclgrind#takeReports}).
 */
final class OclgrindReports implements BeforeEachCallback, AfterEachCallback {
    private static final int SHOWN = 3;

    @Override
    public void beforeEach(ExtensionContext context) {
        Oclgrind.takeReports();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> reports = Oclgrind.takeReports();
        if (!reports.isEmpty()) {
            throw new AssertionError("Oclgrind wrote " + reports.size() + " report(s) during "
                    + context.getDisplayName() + "; the first:\n\n"
                    + String.join("\n\n", reports.subList(0, Math.min(SHOWN, reports.size()))));
        }
    }
}

package dev.lengthgen.tests;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The OpenCL tests that bench/gpu-check.sh runs on a GPU, where there is a Java runtime but no Maven: the parity of
 * every op with the reference in both kernel variants, whole training steps and evaluation, the argument checks, and
 * the device limits, on the device -Dlengthgen.opencl.device names (else the first GPU). Prints a line per test and
 * the totals; writes them as JSON to the path given as the argument, if any. Exit code 0 when no test failed.
 *
 * <p>Run it with the tests' classes and their dependencies on the class path (bench/gpu-check.sh --build gathers
 * them), e.g. {@code java -cp 'tests/classes:tests/lib/*' dev.lengthgen.tests.GpuCheckTests result.json}.
 */
public final class GpuCheckTests {

    private GpuCheckTests() {
    }

    public static void main(String[] args) throws IOException {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectPackage("dev.lengthgen.tests.opencl"),
                        DiscoverySelectors.selectClass("dev.lengthgen.tests.ops.BackendParityTest"),
                        DiscoverySelectors.selectClass("dev.lengthgen.tests.ops.ArgumentCheckParityTest"))
                // the cross-compilation needs clang, not a GPU; it runs in the build
                .filters(ClassNameFilter.excludeClassNamePatterns(".*KernelCrossCompileTest"))
                .build();
        Results results = new Results(System.out);
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, results);
        System.out.printf("%d passed, %d failed, %d skipped%n", results.passed, results.failed, results.skipped);
        if (args.length > 0) {
            JsonObject json = new JsonObject();
            json.addProperty("passed", results.passed);
            json.addProperty("failed", results.failed);
            json.addProperty("skipped", results.skipped);
            json.add("failures", results.failures);
            json.add("skips", results.skips);
            Files.writeString(Path.of(args[0]), new GsonBuilder().setPrettyPrinting().create().toJson(json),
                    StandardCharsets.UTF_8);
        }
        System.exit(results.failed == 0 ? 0 : 1);
    }

    /** Counts the tests (not the containers) and keeps why each failed or was skipped. */
    private static final class Results implements TestExecutionListener {
        private final PrintStream out;
        int passed;
        int failed;
        int skipped;
        final JsonArray failures = new JsonArray();
        final JsonArray skips = new JsonArray();

        Results(PrintStream out) {
            this.out = out;
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            skipped++;
            skips.add(name(test) + ": " + reason);
            out.println("skipped " + name(test) + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (!test.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;
            }
            switch (result.getStatus()) {
                case SUCCESSFUL -> {
                    passed++;
                    out.println("passed  " + name(test));
                }
                case ABORTED -> {
                    skipped++;
                    String why = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
                    skips.add(name(test) + ": " + why);
                    out.println("skipped " + name(test) + ": " + why);
                }
                case FAILED -> {
                    failed++;
                    String why = result.getThrowable().map(Throwable::toString).orElse("failed");
                    failures.add(name(test) + ": " + why);
                    out.println("FAILED  " + name(test) + ": " + why);
                }
            }
        }

        private static String name(TestIdentifier test) {
            TestSource source = test.getSource().orElse(null);
            if (source instanceof MethodSource m) {
                return m.getJavaClass().getSimpleName() + " " + test.getLegacyReportingName();
            }
            if (source instanceof ClassSource c) {
                return c.getJavaClass().getSimpleName();
            }
            return test.getDisplayName();
        }
    }
}

package dev.lengthgen.tests.slurm;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whether a Slurm cluster takes jobs here: sinfo answers within {@value #TIMEOUT_S} s and shows a node that is idle
 * or busy with other jobs. Where none does the Slurm tests are skipped with one line that says how to start one; under
 * LENGTHGEN_REQUIRE_SLURM=1 (set by .ci/run, which starts a one-node cluster) that is a failure instead. Checked once
 * per JVM.
 */
final class SlurmAvailability {
    static final String REQUIRE = "LENGTHGEN_REQUIRE_SLURM";
    /** sinfo takes 9 s to give up on a controller that does not answer. */
    private static final long TIMEOUT_S = 20;
    private static final List<String> TAKES_JOBS = List.of("idle", "mixed", "allocated", "completing");
    private static String problem; // null until checked; empty when Slurm takes jobs

    private SlurmAvailability() {
    }

    /** Returns when Slurm takes jobs; otherwise skips the test, or fails it under LENGTHGEN_REQUIRE_SLURM=1. */
    static synchronized void require() {
        if (problem == null) {
            problem = check();
        }
        if (problem.isEmpty()) {
            return;
        }
        if ("1".equals(System.getenv(REQUIRE))) {
            fail(problem + " (" + REQUIRE + "=1 requires a Slurm cluster)");
        }
        Assumptions.abort(problem + "; the Slurm tests are skipped (start a one-node cluster as root with "
                + ".ci/slurm-up.sh)");
    }

    private static String check() {
        Process p;
        try {
            p = new ProcessBuilder("sinfo", "--noheader", "--responding", "--format=%T").redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return "no Slurm here: sinfo cannot be run (" + e.getMessage() + ")";
        }
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "no Slurm here: sinfo did not answer within " + TIMEOUT_S + " s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                return "no Slurm here: sinfo says " + out.lines().findFirst().orElse("nothing");
            }
            List<String> states = out.lines().map(String::strip).toList();
            if (states.stream().noneMatch(TAKES_JOBS::contains)) {
                return "no Slurm node takes jobs: sinfo shows " + states;
            }
            return "";
        } catch (IOException | InterruptedException e) {
            return "no Slurm here: " + e;
        }
    }
}

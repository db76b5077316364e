package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.Backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs op cases on a backend and on the reference from identical fp32 inputs and compares every output: forward
 * outputs after the forward op, accumulated gradients (which start from the same random values on both, so "+=" is
 * tested) after the backward op. Every case runs even when an earlier one fails, so one run shows the state of
 * every op. Also checks that no op writes outside its views.
 */
public final class ParityCheck {

    /** The outcome of all cases: every comparison made and every failure, as messages. */
    public record Report(String backend, List<Comparison> comparisons, List<String> failures) {

        /** One line per case: its worst output. */
        public List<String> caseLines() {
            Map<String, Comparison> worst = worstBy(true);
            List<String> lines = new ArrayList<>();
            worst.forEach((id, c) -> lines.add(String.format("parity %-7s %-36s worst %-8s %-9s abs %.2e rel %.2e"
                            + "  (tolerance %s, %3.0f%% used)", backend, id, c.phase(), c.output(), c.absError(),
                    c.relError(), c.tolerance(), 100 * c.usage())));
            return lines;
        }

        /** One line per op family: the largest absolute and relative error over all its cases and outputs. */
        public List<String> opLines() {
            Map<String, double[]> largest = new LinkedHashMap<>();
            Map<String, Comparison> worst = worstBy(false);
            for (Comparison c : comparisons) {
                double[] m = largest.computeIfAbsent(c.op(), k -> new double[2]);
                m[0] = Math.max(m[0], c.maxAbs());
                m[1] = Math.max(m[1], c.maxRel());
            }
            List<String> lines = new ArrayList<>();
            largest.forEach((op, m) -> {
                Comparison w = worst.get(op);
                lines.add(String.format("largest parity error %-7s %-16s abs %.2e  rel %.2e  "
                        + "(closest to tolerance: %s %s %s, %.0f%% of %s)", backend, op, m[0], m[1], w.caseId(),
                        w.phase(), w.output(), 100 * w.usage(), w.tolerance()));
            });
            return lines;
        }

        private Map<String, Comparison> worstBy(boolean perCase) {
            Map<String, Comparison> worst = new LinkedHashMap<>();
            for (Comparison c : comparisons) {
                worst.merge(perCase ? c.caseId() : c.op(), c, (a, b) -> b.usage() > a.usage() ? b : a);
            }
            return worst;
        }

        public String failureMessage() {
            return failures.size() + " parity failure(s) of backend '" + backend + "' against reference:\n  "
                    + String.join("\n  ", failures);
        }
    }

    private ParityCheck() {
    }

    public static Report run(Backend backend, Backend reference, List<OpCase> cases) {
        List<Comparison> comparisons = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (OpCase c : cases) {
            String phase = "setup";
            try {
                CaseRun want = c.run(reference, false);
                CaseRun got = c.run(backend, false);
                phase = "forward";
                want.forward();
                got.forward();
                boolean guardsIntact = compare(c, phase, want, got, c.forwardOutputs(), true, comparisons, failures);
                if (c.hasBackward()) {
                    // the backend's backward consumes its own forward results (att, mean, rstd), as in training
                    phase = "backward";
                    want.backward();
                    got.backward();
                    compare(c, phase, want, got, c.backwardOutputs(), guardsIntact, comparisons, failures);
                }
            } catch (RuntimeException e) {
                failures.add(c.id() + " " + phase + ": threw " + e);
            }
        }
        return new Report(backend.name(), comparisons, failures);
    }

    /** Compares outputs, and the guard bands when {@code checkGuards}; false when a guard was overwritten. */
    private static boolean compare(OpCase c, String phase, CaseRun want, CaseRun got, List<String> outputs,
                                   boolean checkGuards, List<Comparison> comparisons, List<String> failures) {
        for (String output : outputs) {
            Comparison cmp = Comparison.of(c, phase, output, got.read(output), want.read(output));
            comparisons.add(cmp);
            if (!cmp.passed()) {
                failures.add(cmp.describe());
            }
        }
        String guard = checkGuards ? got.guardViolation() : null;
        if (guard != null) {
            failures.add(c.id() + " " + phase + ": " + guard);
        }
        return guard == null;
    }
}

package dev.lengthgen.tests.ops;

/**
 * One output of one case on a backend against the reference: its worst element (the one that uses the most of the
 * tolerance) and the largest absolute and relative errors over all elements.
 *
 * @param usage    the worst element's |got - want| / (abs + rel |want|); above 1 fails
 * @param maxRel   largest |got - want| / |want| over elements with |want| above the absolute tolerance (relative
 *                 errors of values near zero say nothing)
 */
public record Comparison(String caseId, String op, String phase, String output, Tolerance tolerance, int length,
                         int worstIndex, double got, double want, double usage, double maxAbs, double maxRel) {

    public static Comparison of(OpCase c, String phase, String output, double[] got, double[] want) {
        Tolerance tol = c.tolerance(output);
        if (got.length != want.length) {
            throw new IllegalArgumentException(c.id() + " " + output + ": " + got.length + " vs " + want.length
                    + " values");
        }
        int worst = 0;
        double worstUsage = -1, maxAbs = 0, maxRel = 0;
        for (int i = 0; i < got.length; i++) {
            double usage = tol.usage(got[i], want[i]);
            if (usage > worstUsage) {
                worstUsage = usage;
                worst = i;
            }
            double abs = Math.abs(got[i] - want[i]);
            if (Double.isNaN(abs)) {
                abs = Double.isNaN(got[i]) && Double.isNaN(want[i]) ? 0 : Double.POSITIVE_INFINITY;
            }
            maxAbs = Math.max(maxAbs, abs);
            if (Math.abs(want[i]) > Math.max(tol.abs(), 1e-30)) {
                maxRel = Math.max(maxRel, abs / Math.abs(want[i]));
            }
        }
        return new Comparison(c.id(), c.op(), phase, output, tol, got.length, worst, got[worst], want[worst],
                Math.max(worstUsage, 0), maxAbs, maxRel);
    }

    public boolean passed() {
        return usage <= 1;
    }

    public double absError() {
        return Math.abs(got - want);
    }

    public double relError() {
        return want == 0 ? (got == 0 ? 0 : Double.POSITIVE_INFINITY) : absError() / Math.abs(want);
    }

    /** e.g. "matmul[bias] small backward dweight[1234] of 6912: got 0.1234567 want 0.1234568, abs 1.0e-07 ...". */
    public String describe() {
        return String.format("%s %s %s[%d] of %d: got %.9g, want %.9g, abs err %.3g, rel err %.3g "
                        + "(tolerance %s, %s); largest abs err %.3g, rel err %.3g",
                caseId, phase, output, worstIndex, length, got, want, absError(), relError(), tolerance,
                usage <= 10 ? String.format("%.0f%% used", 100 * usage) : String.format("%.3g times over", usage),
                maxAbs, maxRel);
    }
}

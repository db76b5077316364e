package dev.lengthgen.tests.ops;

/**
 * How far a value may be from the reference: |got - want| <= abs + rel * |want|. NaN or infinity where the reference is
 * finite always fails.
 */
public record Tolerance(double rel, double abs) {
    /** Data movement and integer results: bit for bit. */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public boolean accepts(double got, double want) {
        if (Double.isNaN(got) || Double.isNaN(want)) {
            return Double.isNaN(got) && Double.isNaN(want);
        }
        return Math.abs(got - want) <= abs + rel * Math.abs(want);
    }

    /** How much of the allowance an error uses (above 1 fails); the worst element of an output is the largest. */
    public double usage(double got, double want) {
        double err = Math.abs(got - want);
        if (Double.isNaN(err)) {
            return Double.isNaN(got) && Double.isNaN(want) ? 0 : Double.POSITIVE_INFINITY;
        }
        double allowed = abs + rel * Math.abs(want);
        if (allowed == 0) {
            return err == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return err / allowed;
    }

    @Override
    public String toString() {
        return "rel " + rel + " / abs " + abs;
    }
}

package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.View;
import dev.lengthgen.engine.random.DropoutMask;
import dev.lengthgen.engine.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every op's backward against central finite differences, on the reference backend in double precision, at the
 * small awkward shape of the op catalog. For each {@link OpCase.Differentiation}, L = sum(output * weights) with the
 * case's random upstream gradient as weights; dL/dx[i] ~ (L(x + h e_i) - L(x - h e_i)) / 2h. The two perturbed
 * outputs are subtracted element by element before weighting, so outputs that x[i] does not touch cancel exactly and
 * rounding noise stays near 1e-16 |out| / h.
 */
class OpGradientCheckTest {
    /** Step of the central difference: truncation error ~h^2 f''' and rounding ~1e-16 / h are both ~1e-10. */
    static final double H = 1e-5;
    /** Elements checked per gradient: all of a small tensor, a seeded random sample of a large one. */
    static final int SAMPLES = 300;

    static Stream<OpCase> differentiableCases() {
        return OpCatalog.selected(OpCatalog.at(Shape.SMALL)).stream().filter(c -> !c.differentiations().isEmpty());
    }

    static Stream<OpCase> casesWithBackward() {
        return OpCatalog.selected(OpCatalog.at(Shape.SMALL)).stream().filter(OpCase::hasBackward);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiableCases")
    void backwardMatchesFiniteDifferences(OpCase c) {
        try (ReferenceBackend ref = ReferenceBackend.forGradientChecks()) {
            CaseRun run = c.run(ref, true);
            run.forward();
            run.backward();
            List<double[]> analytic = new ArrayList<>();
            for (OpCase.Differentiation d : c.differentiations()) {
                analytic.add(live(run.v(d.gradient())));
            }
            List<String> failures = new ArrayList<>();
            for (int k = 0; k < analytic.size(); k++) {
                OpCase.Differentiation d = c.differentiations().get(k);
                GradientError e = check(run, d, analytic.get(k), c.gradientCheckTolerance());
                System.out.printf("gradcheck %-32s %-22s %4d elements  max abs err %.2e  max rel err %.2e%n",
                        c.id(), d.output() + " wrt " + d.input(), e.checked, e.maxAbs, e.maxRel);
                if (e.failure != null) {
                    failures.add(e.failure);
                }
            }
            if (!failures.isEmpty()) {
                fail(c.id() + ": analytic gradient differs from finite differences (tolerance "
                        + c.gradientCheckTolerance() + "):\n  " + String.join("\n  ", failures));
            }
        }
    }

    /** Backward ops accumulate: a second call adds the same contribution again, whatever the gradients held. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("casesWithBackward")
    void backwardAccumulates(OpCase c) {
        try (ReferenceBackend ref = ReferenceBackend.forGradientChecks()) {
            CaseRun run = c.run(ref, false);
            run.forward();
            List<String> grads = c.backwardOutputs();
            List<double[]> g0 = new ArrayList<>(), g1 = new ArrayList<>();
            for (String g : grads) {
                g0.add(live(run.v(g)));
            }
            run.backward();
            for (String g : grads) {
                g1.add(live(run.v(g)));
            }
            run.backward();
            for (int k = 0; k < grads.size(); k++) {
                double[] g2 = live(run.v(grads.get(k)));
                for (int i = 0; i < g2.length; i++) {
                    double once = g1.get(k)[i] - g0.get(k)[i], twice = g2[i] - g0.get(k)[i];
                    assertEquals(2 * once, twice, 1e-12 * (1 + Math.abs(twice)),
                            c.id() + ": " + grads.get(k) + "[" + i + "] after two backward calls");
                }
            }
        }
    }

    /** Dropout's gradient is exactly the mask times 1 / (1 - p), with the forward pass's key. */
    @Test
    void dropoutGradientIsMaskTimesScale() {
        float p = 0.2f;
        OpCase c = OpCatalog.dropout(Shape.SMALL, p);
        try (ReferenceBackend ref = ReferenceBackend.forGradientChecks()) {
            CaseRun run = c.run(ref, true);
            run.forward();
            run.backward();
            double[] dinp = live(run.v("dinp")), dout = live(run.v("dout"));
            double[] inp = live(run.v("inp")), out = live(run.v("out"));
            int kept = 0;
            for (int i = 0; i < dinp.length; i++) {
                double mask = DropoutMask.keep(OpCatalog.DROPOUT_KEY, i, p) ? 1.0 / (1.0 - p) : 0.0;
                kept += mask > 0 ? 1 : 0;
                assertEquals(mask * dout[i], dinp[i], 0.0, "dinp[" + i + "]");
                assertEquals(mask * inp[i], out[i], 0.0, "out[" + i + "]");
            }
            assertTrue(kept > 0 && kept < dinp.length, "the mask keeps some elements and drops some");
        }
    }

    /** The largest errors of one gradient, and a message naming the worst element when it fails. */
    record GradientError(int checked, double maxAbs, double maxRel, String failure) {
    }

    static GradientError check(CaseRun run, OpCase.Differentiation d, double[] analytic, Tolerance tol) {
        View in = run.v(d.input()), out = run.v(d.output());
        double[] x = ReferenceBackend.doubles(in);
        int xo = (int) in.offset();
        double[] weights = live(run.v(d.weights()));
        int[] indices = sample(analytic.length, run.opCase().seed() ^ d.input().hashCode());
        double maxAbs = 0, maxRel = 0, worstUsage = 0;
        String failure = null;
        for (int idx : indices) {
            double x0 = x[xo + idx];
            x[xo + idx] = x0 + H;
            double up = x[xo + idx] - x0;
            run.forward();
            double[] plus = live(out);
            x[xo + idx] = x0 - H;
            double down = x0 - x[xo + idx];
            run.forward();
            double[] minus = live(out);
            x[xo + idx] = x0;
            double dL = 0;
            for (int k = 0; k < plus.length; k++) {
                dL += (plus[k] - minus[k]) * weights[k];
            }
            double fd = dL / (up + down), a = analytic[idx];
            double abs = Math.abs(a - fd), rel = abs / Math.max(Math.abs(fd), 1e-300);
            maxAbs = Math.max(maxAbs, abs);
            if (Math.abs(fd) > 1e-6) { // a relative error of a near-zero gradient says nothing
                maxRel = Math.max(maxRel, rel);
            }
            double usage = tol.usage(a, fd);
            if (usage > 1 && usage > worstUsage) {
                worstUsage = usage;
                failure = String.format("d sum(%s * %s) / d %s[%d]: analytic (%s) %.12g, finite difference %.12g, "
                        + "abs err %.3g, rel err %.3g", d.output(), d.weights(), d.input(), idx, d.gradient(), a, fd,
                        abs, rel);
            }
        }
        run.forward();
        return new GradientError(indices.length, maxAbs, maxRel, failure);
    }

    /** All indices of a small tensor; of a large one, the first, the last and a seeded random sample. */
    static int[] sample(int length, long seed) {
        if (length <= SAMPLES) {
            int[] all = new int[length];
            for (int i = 0; i < length; i++) {
                all[i] = i;
            }
            return all;
        }
        Random rng = new Random(seed);
        int[] some = new int[SAMPLES];
        some[0] = 0;
        some[1] = length - 1;
        for (int i = 2; i < SAMPLES; i++) {
            some[i] = rng.nextInt(length);
        }
        return some;
    }

    /** A copy of a view's live double-precision contents on the reference backend. */
    static double[] live(View v) {
        double[] all = ReferenceBackend.doubles(v);
        double[] out = new double[(int) v.length()];
        System.arraycopy(all, (int) v.offset(), out, 0, out.length);
        return out;
    }
}

package dev.lengthgen.tests.simulated;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training steps on the simulated GPU against the reference, from the same parameters and batches: a few
 * steps with dropout in each kernel variant (losses and the parameters after them), and one step under every position
 * scheme (loss, every parameter's gradient). The model is as small as still runs every op of a step: one layer, two
 * heads of four channels, biases, untied embeddings; the GPU kernels run within work-groups of 32.
 */
@SimulatedGpu
class SimulatedTrainingTest {
    private static final int B = 2, T = 7, STEPS = 3;
    /** Relative L2 bound per tensor and on each loss: fp32 kernels against the double-precision reference. */
    private static final double REL = 1e-5;

    private static GptConfig config(PositionConfig position) {
        return new GptConfig(1, 2, 8, 12, 11, 0.1f, true, false, position).validate(T);
    }

    @ParameterizedTest
    @EnumSource(KernelVariant.class)
    void stepsWithDropoutMatchReference(KernelVariant variant) {
        GptConfig c = config(PositionConfig.ape());
        try (OpenClBackend cl = Oclgrind.smallDevice(variant, 32);
             ReferenceBackend ref = new ReferenceBackend()) {
            Trainer a = trainer(c, cl), b = trainer(c, ref);
            StringBuilder log = new StringBuilder(cl.describe() + "\n");
            double worst = 0;
            for (int step = 0; step < STEPS; step++) {
                Batch batch = batch(c, step);
                float la = a.step(batch, 1e-2f), lb = b.step(batch, 1e-2f);
                double rel = Math.abs(la - lb) / Math.abs(lb);
                worst = Math.max(worst, rel);
                log.append(String.format("  step %d  simulated %.7f  reference %.7f%n", step + 1, la, lb));
            }
            double params = relativeL2(a.model.downloadParameters(), b.model.downloadParameters());
            log.append(String.format("  parameters after %d steps: relative L2 %.1e%n", STEPS, params));
            System.out.print(log);
            assertTrue(Math.max(worst, params) <= REL, "bound " + REL + "\n" + log);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PositionConfig.Scheme.class)
    void oneStepUnderEveryPositionSchemeMatchesReference(PositionConfig.Scheme scheme) {
        PositionConfig position = PositionConfig.of(scheme);
        if (scheme.fromDigitPlaces()) {
            position = position.withMaxOffset(3);
        } else if (scheme != PositionConfig.Scheme.NOPE) {
            position = position.withRandomRange(11);
        }
        GptConfig c = config(position);
        try (OpenClBackend cl = Oclgrind.smallDevice(KernelVariant.GPU, 32);
             ReferenceBackend ref = new ReferenceBackend()) {
            Trainer a = trainer(c, cl), b = trainer(c, ref);
            Batch batch = batch(c, 0);
            float la = a.step(batch, 1e-2f), lb = b.step(batch, 1e-2f);
            double grads = relativeL2(download(cl, a), download(ref, b));
            String line = String.format("%s: loss simulated %.7f reference %.7f, gradients relative L2 %.1e", scheme,
                    la, lb, grads);
            System.out.println(line);
            assertTrue(Math.abs(la - lb) / Math.abs(lb) <= REL && grads <= REL, line + " (bound " + REL + ")");
        }
    }

    private static Trainer trainer(GptConfig c, Backend backend) {
        GptModel model = new GptModel(c, backend);
        model.initialize(5);
        return new Trainer(model, B, T, AdamWConfig.paper(), 9);
    }

    private static float[] download(Backend backend, Trainer t) {
        float[] g = new float[Math.toIntExact(t.model.layout.total())];
        backend.download(t.grads.view(), g);
        return g;
    }

    private static double relativeL2(float[] got, float[] want) {
        double diff = 0, norm = 0;
        for (int k = 0; k < want.length; k++) {
            double d = (double) got[k] - want[k];
            diff += d * d;
            norm += (double) want[k] * want[k];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
    }

    /**
     * Random tokens; the second row shorter (right-padded, mask 0); the loss on the second half of each row. Digit
     * schemes get ids by place within a number, the others a sorted random subset of the randomized range.
     */
    private static Batch batch(GptConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(31 + seed);
        int n = B * T;
        int[] tokens = new int[n], targets = new int[n], positions = new int[n];
        float[] mask = new float[n];
        PositionConfig p = c.position();
        for (int b = 0; b < B; b++) {
            int length = T - 2 * b;
            int offset = r.nextInt(p.maxOffset() + 1);
            int next = 0;
            for (int t = 0; t < T; t++) {
                int i = b * T + t;
                tokens[i] = r.nextInt(c.vocab());
                targets[i] = r.nextInt(c.vocab());
                mask[i] = t >= length / 2 && t < length ? 1f : 0f;
                if (p.scheme().fromDigitPlaces()) {
                    positions[i] = t % 4 == 0 ? 0 : t % 4 + offset;
                } else if (p.randomRange() > 0) {
                    next += 1 + r.nextInt(Math.max(1, (p.randomRange() - next) / (T - t)));
                    positions[i] = Math.min(next - 1, p.randomRange() - T + t);
                } else {
                    positions[i] = t;
                }
            }
        }
        return new Batch(B, T, tokens, targets, mask, positions);
    }
}

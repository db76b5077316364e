package dev.lengthgen.tests.position;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.Backends;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.layout.TensorSpec;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One training step under each position scheme on the cpu backend against the reference, from the same parameters
 * and batch: the loss, every parameter's gradient and the updated parameters. Position ids are not 0, 1, 2, ...:
 * the digit schemes get repeated ids as data gives them, the others a randomized sorted subset, and rows end in
 * right padding, so every path of the schemes (the table rows, rotation angles, bias buckets) is exercised.
 */
class PositionSchemeStepParityTest {
    /** Awkward shapes: C = 48, NH = 3 (hs = 16), T = 23, V = 16; dropout on. */
    private static final int B = 3, T = 23;
    /** Per tensor: |cpu - reference| / |reference| over the whole tensor (L2), fp32 against double precision. */
    private static final double REL = 1e-4;

    @ParameterizedTest(name = "{0}")
    @EnumSource(PositionConfig.Scheme.class)
    void oneStepMatchesTheReference(PositionConfig.Scheme scheme) {
        PositionConfig position = PositionConfig.of(scheme);
        if (scheme.fromDigitPlaces()) {
            position = position.withMaxOffset(8);
        } else if (scheme != PositionConfig.Scheme.NOPE) {
            position = position.withRandomRange(36);
        }
        GptConfig config = new GptConfig(2, 3, 48, 40, 16, 0.1f, false, true, position).validate(T);
        Batch batch = batch(config);
        try (Backend cpu = Backends.open("cpu", null, 2); ReferenceBackend reference = new ReferenceBackend()) {
            Trainer a = trainer(config, cpu), b = trainer(config, reference);
            float lossCpu = a.step(batch, 1e-3f), lossRef = b.step(batch, 1e-3f);
            StringBuilder report = new StringBuilder(String.format("%s: loss cpu %.7f reference %.7f%n", scheme,
                    lossCpu, lossRef));
            double worst = Math.abs(lossCpu - lossRef) / Math.abs(lossRef);
            float[] gradsCpu = download(cpu, a), gradsRef = download(reference, b);
            float[] paramsCpu = a.model.downloadParameters(), paramsRef = b.model.downloadParameters();
            for (TensorSpec t : a.model.layout.tensors()) {
                double g = relativeL2(gradsCpu, gradsRef, t), p = relativeL2(paramsCpu, paramsRef, t);
                report.append(String.format("  %-36s grad %.1e  updated %.1e%n", t.name(), g, p));
                worst = Math.max(worst, Math.max(g, p));
            }
            System.out.print(report);
            assertTrue(worst <= REL, "worst relative difference " + worst + " (bound " + REL + ")\n" + report);
        }
    }

    private static Trainer trainer(GptConfig config, Backend backend) {
        GptModel model = new GptModel(config, backend);
        model.initialize(17);
        return new Trainer(model, B, T, AdamWConfig.paper(), 3);
    }

    private static float[] download(Backend backend, Trainer t) {
        float[] g = new float[Math.toIntExact(t.model.layout.total())];
        backend.download(t.grads.view(), g);
        return g;
    }

    private static double relativeL2(float[] got, float[] want, TensorSpec t) {
        double diff = 0, norm = 0;
        for (long k = t.offset(); k < t.offset() + t.size(); k++) {
            double d = got[(int) k] - want[(int) k];
            diff += d * d;
            norm += (double) want[(int) k] * want[(int) k];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
    }

    /** Random tokens; rows of length 23, 19 and 15 (right-padded, mask 0); the loss on the second half of each. */
    private static Batch batch(GptConfig c) {
        SplittableRandom r = new SplittableRandom(29);
        int n = B * T;
        int[] tokens = new int[n], targets = new int[n], positions = new int[n];
        float[] mask = new float[n];
        PositionConfig p = c.position();
        int[] shared = p.randomRange() > 0 ? sortedSubset(T, p.randomRange(), r) : null;
        for (int b = 0; b < B; b++) {
            int length = T - 4 * b;
            int offset = r.nextInt(p.maxOffset() + 1);
            for (int t = 0; t < T; t++) {
                int i = b * T + t;
                tokens[i] = r.nextInt(c.vocab());
                targets[i] = r.nextInt(c.vocab());
                mask[i] = t >= length / 2 && t < length ? 1f : 0f;
                if (p.scheme().fromDigitPlaces()) {
                    positions[i] = t % 5 == 0 ? 0 : 1 + (t % 5) + offset; // digits by place, other tokens 0
                } else {
                    positions[i] = shared != null ? shared[t] : t;
                }
            }
        }
        return new Batch(B, T, tokens, targets, mask, positions);
    }

    private static int[] sortedSubset(int count, int range, SplittableRandom r) {
        int[] ids = new int[count];
        for (int v = 0, chosen = 0; v < range && chosen < count; v++) {
            if (r.nextInt(range - v) < count - chosen) {
                ids[chosen++] = v;
            }
        }
        return ids;
    }
}

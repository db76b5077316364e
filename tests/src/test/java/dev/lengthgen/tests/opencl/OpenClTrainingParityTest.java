package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.graph.Task;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whole training steps on OpenCL against the reference backend, from the same initial parameters and data:
 * one step task by task with every buffer compared (each kernel variant), twenty steps of losses (the device's own
 * variant), and two OpenCL runs bit for bit (each variant).
 * The model has awkward shapes (C = 48, NH = 3, T = 35, V = 16), biases, untied embeddings and dropout, so every
 * op of the step runs.
 */
class OpenClTrainingParityTest {
    private static final GptConfig CONFIG = new GptConfig(2, 3, 48, 40, 16, 0.1f, true, false);
    private static final int B = 2, T = 35;
    private static final float LR = 1e-3f;

    /**
     * Per-element bound after a task, |opencl - reference| <= ABS + REL |reference|: fp32 kernels against the
     * double-precision reference, with the error of every earlier task of the step carried along.
     */
    private static final double REL = 1e-3, ABS = 1e-5;

    @ParameterizedTest
    @EnumSource(KernelVariant.class)
    void oneStepMatchesReferenceTaskByTask(KernelVariant variant) {
        try (OpenClBackend cl = OpenClAvailability.open(variant); ReferenceBackend ref = new ReferenceBackend()) {
            Run a = new Run(cl), b = new Run(ref);
            Batch batch = batch(0);
            a.trainer.prepare(batch, LR);
            b.trainer.prepare(batch, LR);
            List<String> trace = new ArrayList<>();
            Iterator<Task> referenceTasks = b.trainer.trainPlan().graph().tasks().iterator();
            String[] divergence = new String[1];
            Snapshot before = new Snapshot(a.buffers(), b.buffers());
            String stoppedAt = a.trainer.trainPlan().executeUntil(task -> {
                Task twin = referenceTasks.next();
                assertEquals(task.name(), twin.name());
                twin.body().run();
                Snapshot after = new Snapshot(a.buffers(), b.buffers());
                Difference d = Difference.ofTask(before, after);
                before.replaceWith(after);
                trace.add(String.format("  %-28s worst %s", task.name(), d));
                if (d.usage > 1) {
                    divergence[0] = "first task whose output diverges: " + task.name() + ": " + d;
                    return false;
                }
                return true;
            });
            System.out.println("whole-step parity, " + cl.describe() + ":\n" + String.join("\n", trace));
            if (stoppedAt != null) {
                fail(divergence[0] + String.format(" (bound abs %.0e + rel %.0e)", ABS, REL));
            }
        }
    }

    @Test
    void twentyStepLossesAgreeWithReference() {
        try (OpenClBackend cl = OpenClAvailability.open(); ReferenceBackend ref = new ReferenceBackend()) {
            Run a = new Run(cl), b = new Run(ref);
            double worst = 0;
            StringBuilder log = new StringBuilder();
            for (int step = 0; step < 20; step++) {
                Batch batch = batch(step);
                float la = a.trainer.step(batch, LR), lb = b.trainer.step(batch, LR);
                double rel = Math.abs(la - lb) / Math.abs(lb);
                worst = Math.max(worst, rel);
                log.append(String.format("  step %2d  opencl %.7f  reference %.7f  rel %.1e%n", step + 1, la, lb, rel));
            }
            System.out.print("twenty-step losses, " + cl.describe() + ":\n" + log);
            assertTrue(worst <= 1e-4, "losses differ by up to " + worst + " relative (bound 1e-4):\n" + log);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelVariant.class)
    void twoOpenClRunsGiveBitIdenticalLosses(KernelVariant variant) {
        float[] first = losses(variant, 10);
        float[] second = losses(variant, 10);
        for (int i = 0; i < first.length; i++) {
            assertEquals(Float.floatToRawIntBits(first[i]), Float.floatToRawIntBits(second[i]),
                    "step " + (i + 1) + ": " + first[i] + " vs " + second[i]);
        }
    }

    /** Losses of {@code steps} steps on a fresh OpenCL backend; the final parameters' bits are appended. */
    private static float[] losses(KernelVariant variant, int steps) {
        try (OpenClBackend cl = OpenClAvailability.open(variant)) {
            Run run = new Run(cl);
            float[] params = run.model.downloadParameters();
            float[] out = new float[steps + params.length];
            for (int step = 0; step < steps; step++) {
                out[step] = run.trainer.step(batch(step), LR);
            }
            System.arraycopy(run.model.downloadParameters(), 0, out, steps, params.length);
            return out;
        }
    }

    /** A model and its trainer on one backend, from the shared initial state. */
    private static final class Run {
        final GptModel model;
        final Trainer trainer;

        final Backend backend;

        Run(Backend backend) {
            this.backend = backend;
            model = new GptModel(CONFIG, backend);
            model.initialize(7);
            trainer = new Trainer(model, B, T, AdamWConfig.paper(), 11);
        }

        /** Every buffer of the step, named. */
        List<Named> buffers() {
            BufferRegions parameters = BufferRegions.of(model.layout);
            return List.of(new Named("params", model.params, backend, parameters),
                    new Named("grads", trainer.grads, backend, parameters),
                    new Named("adam.m", trainer.m, backend, parameters),
                    new Named("adam.v", trainer.v, backend, parameters),
                    new Named("activations", trainer.activations().memory, backend,
                            BufferRegions.of(trainer.activations())),
                    new Named("activation grads", trainer.activationGradients().memory, backend,
                            BufferRegions.of(trainer.activationGradients())));
        }
    }

    /** One buffer of a run, the backend that holds it, and the names of the tensors in it. */
    private record Named(String name, Memory memory, Backend backend, BufferRegions regions) {
        float[] download() {
            float[] host = new float[Math.toIntExact(memory.length())];
            backend.download(memory.view(), host);
            return host;
        }
    }

    /** Every buffer of both runs, downloaded. */
    private static final class Snapshot {
        final List<String> names = new ArrayList<>();
        final List<BufferRegions> regions = new ArrayList<>();
        List<float[]> got = new ArrayList<>();
        List<float[]> want = new ArrayList<>();

        Snapshot(List<Named> opencl, List<Named> reference) {
            for (int k = 0; k < opencl.size(); k++) {
                names.add(opencl.get(k).name());
                regions.add(opencl.get(k).regions());
                got.add(opencl.get(k).download());
                want.add(reference.get(k).download());
            }
        }

        void replaceWith(Snapshot s) {
            got = s.got;
            want = s.want;
        }
    }

    /**
     * The worst element a task wrote (changed on either backend), as a share of its bound: a task is judged by its
     * own outputs, so the first task over the bound is the one where the step diverges.
     */
    private record Difference(double usage, String where, float got, float want) {
        static Difference ofTask(Snapshot before, Snapshot after) {
            Difference worst = new Difference(0, "(no output)", 0, 0);
            for (int k = 0; k < after.names.size(); k++) {
                float[] g = after.got.get(k), w = after.want.get(k);
                float[] g0 = before.got.get(k), w0 = before.want.get(k);
                for (int i = 0; i < g.length; i++) {
                    boolean written = Float.floatToRawIntBits(g[i]) != Float.floatToRawIntBits(g0[i])
                            || Float.floatToRawIntBits(w[i]) != Float.floatToRawIntBits(w0[i]);
                    if (!written) {
                        continue;
                    }
                    double err = Math.abs((double) g[i] - w[i]);
                    double usage = Float.isNaN(g[i]) != Float.isNaN(w[i]) ? Double.POSITIVE_INFINITY
                            : err / (ABS + REL * Math.abs(w[i]));
                    if (usage >= worst.usage) {
                        worst = new Difference(usage, after.names.get(k) + " " + after.regions.get(k).name(i), g[i],
                                w[i]);
                    }
                }
            }
            return worst;
        }

        @Override
        public String toString() {
            return String.format("%s opencl %.8g reference %.8g (abs %.2e, %.0f%% of bound)", where, got, want,
                    Math.abs((double) got - want), 100 * usage);
        }
    }

    /** Random tokens with positions 0..T-1 and the loss on the second half of each row. */
    static Batch batch(long seed) {
        SplittableRandom r = new SplittableRandom(1000 + seed);
        int n = B * T;
        int[] tokens = new int[n], targets = new int[n], positions = new int[n];
        float[] mask = new float[n];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                int i = b * T + t;
                tokens[i] = r.nextInt(CONFIG.vocab());
                targets[i] = r.nextInt(CONFIG.vocab());
                positions[i] = t;
                mask[i] = t >= T / 2 ? 1f : 0f;
            }
        }
        return new Batch(B, T, tokens, targets, mask, positions);
    }
}

package dev.lengthgen.tests.cpu;

import com.sun.management.ThreadMXBean;
import dev.lengthgen.engine.cpu.CpuBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.sequence.BatchBuilder;
import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.Format;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cpu backend allocates nothing per training step once warm (docs/ARCHITECTURE.md, "Backends and their
 * variants"): a model trains on two
 * threads, and the heap bytes that the calling thread and the worker allocate, counted by the JVM per thread, must
 * fall below {@link #BOUND} per step.
 *
 * <p>Allocation does not depend on timing, but it does depend on the JIT: until C2 has compiled the Vector API
 * kernels, vectors are objects on the heap (megabytes a step), and a deoptimization later on can bring that back for
 * some steps until the method is compiled again. So the test steps in windows of {@link #WINDOW} steps until one
 * window stays under the bound, and fails if none does within the budget. What it catches: any allocation that
 * recurs every step (a boxed number, a capturing lambda, a view or key made per call, a string built for a check,
 * a Vector API call the JIT does not intrinsify), and kernels that C2 compiled with their vectors boxed for good
 * (what the JVM flag PerMethodTrapLimit in the build and the launcher prevents; see ./lengthgen, and
 * WorkerPool.forEach for a kernel inlined so deep into its caller that C2 left a reinterpret of exp boxed).
 *
 * <p>It runs in a JVM of its own (tests/pom.xml, execution "allocation"), as a training process does. In the JVM of
 * the other tests, C2 compiles the kernels from profiles that the op cases' odd shapes leave too: in one run of the
 * whole suite there, on a loaded machine, every case here stayed at 18 KB to 3.4 MB per step for 3000 steps.
 */
@Tag("allocation")
class StepAllocationTest {
    /**
     * Bytes per step, on the calling thread and on the workers. A warm step allocates 0; the JVM's counters now and
     * then show a few hundred bytes in a window that the step did not allocate, so a window with them is retried.
     */
    static final long BOUND = 64;
    static final int WINDOW = 4;
    static final int MAX_STEPS = 3000;
    static final long MAX_NANOS = 150_000_000_000L;

    /** The benchmark's micro preset at the paper's format (W = 20, T = 65) and batch 64, with dropout. */
    @Test
    void aWarmMicroStepAllocatesNothing() {
        Codec codec = codec(20);
        int T = codec.maxSequenceLength(20) - 1;
        GptConfig config = GptConfig.preset("micro").withVocab(codec.vocabulary().size()).withDropout(0.1f)
                .validate(T + 1);
        assertWarmStepsAllocateNothing("micro", config, codec, DigitSpec.of(20), 64, T);
    }

    /** A small model with biases, in the position schemes that have ops of their own (rope, t5's bucket bias). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ape", "rope", "t5"})
    void aWarmSmallStepAllocatesNothing(String scheme) {
        Codec codec = codec(3);
        int T = codec.maxSequenceLength(3) - 1;
        GptConfig config = new GptConfig(2, 2, 64, T + 1, codec.vocabulary().size(), 0.1f, true, true)
                .withPosition(PositionConfig.of(PositionConfig.Scheme.parse(scheme)));
        assertWarmStepsAllocateNothing(scheme, config, codec, DigitSpec.parse("1-3"), 8, T);
    }

    /**
     * The shape the modular-addition experiment trains (2 layers x 4 heads x 64, heads of 16 channels, batch 64, no
     * dropout) on one thread, as reproduce runs it: the last block runs on the loss rows only.
     */
    @Test
    void aWarmExperimentStepOnOneThreadAllocatesNothing() {
        Codec codec = codec(7);
        int T = codec.maxSequenceLength(7) - 1;
        GptConfig config = new GptConfig(2, 4, 64, T + 1, codec.vocabulary().size(), 0f, false, true);
        assertWarmStepsAllocateNothing("experiment shape", config, codec, DigitSpec.parse("1-3"), 64, T, 1);
    }

    private static Codec codec(int width) {
        ArithmeticTask task = ArithmeticTask.of(Operation.ADD, 0);
        return new Codec(task, Format.defaults(task, width));
    }

    private static void assertWarmStepsAllocateNothing(String what, GptConfig config, Codec codec, DigitSpec digits,
                                                       int B, int T) {
        assertWarmStepsAllocateNothing(what, config, codec, digits, B, T, 2);
    }

    private static void assertWarmStepsAllocateNothing(String what, GptConfig config, Codec codec, DigitSpec digits,
                                                       int B, int T, int threads) {
        ThreadMXBean bean = threadBean();
        Dataset data = new Dataset(codec.task(), codec.format(), digits, Sampler.A, 1, 4 * B);
        BatchBuilder builder = new BatchBuilder(codec, T);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batches.add(builder.build(data.trainBatch(i, B)));
        }
        try (CpuBackend backend = new CpuBackend(threads)) {
            GptModel model = new GptModel(config, backend);
            model.initialize(1);
            Trainer trainer = new Trainer(model, B, T, AdamWConfig.paper(), 1);
            long caller = Thread.currentThread().getId();
            Thread[] workers = backend.workerThreads();
            List<String> windows = new ArrayList<>();
            long t0 = System.nanoTime();
            int step = 0;
            while (step < MAX_STEPS && System.nanoTime() - t0 < MAX_NANOS) {
                long callerBefore = bean.getThreadAllocatedBytes(caller);
                long workersBefore = allocated(bean, workers);
                for (int k = 0; k < WINDOW; k++, step++) {
                    trainer.step(batches.get(step % batches.size()), 1e-3f);
                }
                long callerPerStep = (bean.getThreadAllocatedBytes(caller) - callerBefore) / WINDOW;
                long workersPerStep = (allocated(bean, workers) - workersBefore) / WINDOW;
                if (callerPerStep < BOUND && workersPerStep < BOUND) {
                    return;
                }
                windows.add("steps " + (step - WINDOW) + "-" + (step - 1) + ": " + callerPerStep
                        + " B/step calling thread, " + workersPerStep + " B/step workers");
            }
            int shown = Math.min(windows.size(), 8);
            fail(what + ": no window of " + WINDOW + " steps allocated under " + BOUND + " B per step on both the"
                    + " calling thread and the workers in " + step + " steps; the last windows:\n  "
                    + String.join("\n  ", windows.subList(windows.size() - shown, windows.size())));
        }
    }

    private static ThreadMXBean threadBean() {
        var b = ManagementFactory.getThreadMXBean();
        assumeTrue(b instanceof ThreadMXBean, "this JVM has no per-thread allocation counters");
        ThreadMXBean bean = (ThreadMXBean) b;
        assumeTrue(bean.isThreadAllocatedMemorySupported(), "this JVM does not count allocation per thread");
        if (!bean.isThreadAllocatedMemoryEnabled()) {
            bean.setThreadAllocatedMemoryEnabled(true);
        }
        return bean;
    }

    private static long allocated(ThreadMXBean bean, Thread[] threads) {
        long sum = 0;
        for (Thread t : threads) {
            sum += bean.getThreadAllocatedBytes(t.getId());
        }
        return sum;
    }
}

package dev.lengthgen.runner.bench;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.cpu.CpuBackend;
import dev.lengthgen.engine.cpu.FmaPeak;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.profile.ProfileTable;
import dev.lengthgen.runner.sequence.BatchBuilder;
import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.Format;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training throughput of one preset at the paper's format (addition, W = 20: sequences of 66 tokens, so T = 65) and
 * batch: warm-up steps, then every step timed on its own (forward, backward, gradient norm, AdamW, loss download:
 * exactly {@link Trainer#step}); batches are built before timing. Reports the median ms/step, tokens/s = B*T / time,
 * MFU = model FLOPs per step ({@link GptModel#trainingFlops}: every matmul of the forward pass including QK^T and
 * AV over the full T x T and the LM head, times 3 for forward + backward) / time / measured peak, the heap bytes
 * allocated per step by the training thread and the backend's workers, and the per-task profile of one step.
 */
final class StepBench {
    static final long SEED = 1;

    private StepBench() {
    }

    /** The paper's addition format at operand width W. */
    static Codec codec(int width) {
        ArithmeticTask task = new ArithmeticTask(Operation.ADD, 10, 0);
        return new Codec(task, Format.defaults(task, width));
    }

    /** A preset at the paper's format: {@code count} batches of addition problems at operand width W. */
    static StepShape preset(String preset, int B, int width, int count) {
        Codec codec = codec(width);
        int T = codec.maxSequenceLength(width) - 1;
        GptConfig config = GptConfig.preset(preset).withVocab(codec.vocabulary().size()).validate(T + 1);
        Dataset data = new Dataset(codec.task(), codec.format(), DigitSpec.of(width), Sampler.A, SEED, B * count);
        BatchBuilder builder = new BatchBuilder(codec, T);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batches.add(builder.build(data.trainBatch(i, B)));
        }
        return new StepShape(preset, "", config, B, T, width, AdamWConfig.paper(), 1e-3f, batches, SEED);
    }

    static Map<String, Object> run(Backend backend, StepShape shape, int warmup, int steps, FmaPeak.Result peak,
                                   PrintStream log) {
        GptConfig config = shape.config();
        int B = shape.B(), T = shape.T();
        GptModel model = new GptModel(config, backend);
        model.initialize(shape.seed());
        Trainer trainer = new Trainer(model, B, T, shape.adamw(), shape.seed());
        float lr = shape.lr();
        Thread[] workers = backend instanceof CpuBackend ? ((CpuBackend) backend).workerThreads() : new Thread[0];
        AllocationMeter meter = new AllocationMeter(Thread.currentThread(), workers);
        CpuClock clock = new CpuClock(Thread.currentThread(), workers);
        // Warm-up: at least `warmup` steps, and more (up to 4x) while a step still allocates, i.e. while the JIT is
        // still compiling the Vector API code (interpreted vector code allocates and is slow); on a busy machine
        // the compiler threads get less CPU and need more steps.
        int warm = 0;
        for (; warm < warmup; warm++) {
            trainer.step(shape.batch(warm), lr);
        }
        boolean allocating = true;
        while (allocating && warm < 4 * warmup) {
            allocating = allocatesAtWarmup(meter, trainer, shape.batch(warm), lr);
            warm++;
        }
        double[] seconds = new double[steps];
        double[] cpuSeconds = new double[steps];
        float loss = 0;
        long[] before = new long[2], after = new long[2];
        meter.read(before);
        for (int i = 0; i < steps; i++) {
            long c0 = clock.nanos();
            long t0 = System.nanoTime();
            loss = trainer.step(shape.batch(warm + i), lr);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
            cpuSeconds[i] = (clock.nanos() - c0) / 1e9;
        }
        meter.read(after);
        Samples time = new Samples(seconds);
        Samples cpu = new Samples(cpuSeconds);
        boolean cpuMeasured = clock.nanos() >= 0;
        double flops = model.trainingFlops(B, T);
        double median = time.median();
        double tokensPerSecond = (double) B * T / median;
        double mfu = peak == null ? Double.NaN : flops / median / (peak.gflops() * 1e9);

        // one more step with per-task timing
        backend.resetProfile();
        backend.setProfiling(true);
        trainer.step(shape.batch(warm + steps), lr);
        backend.setProfiling(false);
        ProfileTable profile = ProfileTable.of("profile of one step (" + backend.name() + ")", backend.profile(),
                trainer.trainPlan().graph().tasks()).byOp();

        Map<String, Object> m = new LinkedHashMap<>();
        if (shape.experiment()) {
            m.put("experiment", shape.name());
            m.put("groups", shape.groups());
        } else {
            m.put("preset", shape.name());
        }
        m.put("threads", backend instanceof CpuBackend ? ((CpuBackend) backend).threads() : 0);
        m.put("layers", config.layers());
        m.put("heads", config.heads());
        m.put("dim", config.dim());
        m.put("vocab", config.vocab());
        m.put("context", config.context());
        m.put("position", config.position().scheme().cliName());
        m.put("parameters", model.layout.total());
        m.put("dropout", config.dropout());
        m.put("batch", B);
        m.put("T", T);
        m.put("width", shape.width());
        m.put("loss_rows_per_sequence", Peak.round(lossRowsPerSequence(shape)));
        m.put("warmup_steps", warm);
        m.put("timed_steps", steps);
        m.put("ms_per_step_median", Peak.round(median * 1e3));
        m.put("ms_per_step_min", Peak.round(time.min() * 1e3));
        m.put("ms_per_step_max", Peak.round(time.max() * 1e3));
        if (cpuMeasured) {
            m.put("cpu_ms_per_step_median", Peak.round(cpu.median() * 1e3));
        }
        m.put("tokens_per_second", Peak.round(tokensPerSecond));
        m.put("model_gflop_per_step", Peak.round(flops / 1e9));
        m.put("achieved_gflops", Peak.round(flops / median / 1e9));
        if (peak != null) {
            m.put("peak_gflops", Peak.round(peak.gflops()));
            m.put("mfu", Peak.round(mfu));
        }
        m.put("last_loss", loss);
        m.put("allocated_bytes_per_step_training_thread", after[0] < 0 ? -1 : (after[0] - before[0]) / steps);
        m.put("allocated_bytes_per_step_workers", after[1] < 0 ? -1 : (after[1] - before[1]) / steps);
        m.put("profile", profile.toJson());
        if (log != null) {
            log.printf("%s%s (%dL/%dH/%d, %s, %,d parameters, dropout %.1f), batch %d x T %d, %s:%n", shape.name(),
                    shape.experiment() ? " [" + shape.groups() + "]" : "", config.layers(), config.heads(),
                    config.dim(), config.position().scheme().cliName(), model.layout.total(), config.dropout(), B, T,
                    backend.describe());
            log.printf("  %.1f ms/step median (%.1f - %.1f over %d steps)%s, %,.0f tokens/s, %.2f GFLOP/step, "
                            + "%.1f GFLOP/s%s%n", median * 1e3, time.min() * 1e3, time.max() * 1e3, steps,
                    cpuMeasured ? String.format(" (CPU time %.1f ms)", cpu.median() * 1e3) : "",
                    tokensPerSecond, flops / 1e9, flops / median / 1e9,
                    peak == null ? "" : String.format(", MFU %.1f%%", mfu * 100));
            log.printf("  heap allocated per step: training thread %s, workers %s%n", bytes(after[0] - before[0],
                    steps, after[0]), bytes(after[1] - before[1], steps, after[1]));
            log.print(profile.toText());
        }
        return m;
    }

    /** The mean number of positions per sequence that carry loss, over the shape's batches. */
    static double lossRowsPerSequence(StepShape shape) {
        double rows = 0;
        int sequences = 0;
        for (Batch b : shape.batches()) {
            for (float m : b.mask()) {
                rows += m != 0f ? 1 : 0;
            }
            sequences += b.B();
        }
        return rows / sequences;
    }

    /** Runs one step; true when it allocated more than {@link #SETTLED_BYTES} on the training thread and workers. */
    private static boolean allocatesAtWarmup(AllocationMeter meter, Trainer trainer, Batch batch, float lr) {
        long[] before = new long[2], after = new long[2];
        meter.read(before);
        trainer.step(batch, lr);
        meter.read(after);
        return before[0] >= 0 && (after[0] - before[0]) + (after[1] - before[1]) > SETTLED_BYTES;
    }

    /**
     * Heap bytes per step below which the JIT counts as settled. A warm step allocates nothing; until C2 has compiled
     * the Vector API kernels (and after a deoptimization) they run with vectors boxed on the heap, megabytes a step.
     */
    static final long SETTLED_BYTES = 64 * 1024;

    private static String bytes(long total, int steps, long raw) {
        return raw < 0 ? "not measured" : String.format("%,d B", total / steps);
    }
}

package dev.lengthgen.runner.profile;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.graph.Profile;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.ModelOptions;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.SplittableRandom;

/**
 * {@code lengthgen profile}: times every task of a training step (forward, backward, gradient norm, AdamW) on a
 * backend and prints the per-task table, then the same time summed per op (and, on OpenCL, per kernel). On
 * OpenCL the times are the kernels' device timestamps; on the Java backends, wall-clock time per task. The data is
 * random tokens at the shape of the paper's format (width 20: T = 65 input positions, batch 64); the content of the
 * tokens does not change the work.
 */
public final class ProfileCommand implements Command {
    static final int DEFAULT_BATCH = 64;
    /** The paper's format at operand width 20. */
    static final int DEFAULT_SEQ = 65;
    /** Digits, + = ; and the sequence markers. */
    static final int DEFAULT_VOCAB = 16;
    static final int DEFAULT_STEPS = 1;
    static final int DEFAULT_WARMUP = 2;

    @Override
    public String name() {
        return "profile";
    }

    @Override
    public String summary() {
        return "time each task (kernel) of one training step and print a per-task table";
    }

    @Override
    public Options options() {
        Options o = new Options();
        BackendOptions.addTo(o);
        ModelOptions.addTo(o);
        o.addOption(Flags.valued("batch", "B", "sequences per step", DEFAULT_BATCH));
        o.addOption(Flags.valued("seq", "T", "input positions per sequence (65: the paper's format at operand width"
                + " 20)", DEFAULT_SEQ));
        o.addOption(Flags.valued("vocab", "V", "vocabulary size (16: digits, + = ; and the sequence markers)",
                DEFAULT_VOCAB));
        o.addOption(Flags.valued("steps", "N", "profiled steps, summed in the table", DEFAULT_STEPS));
        o.addOption(Flags.valued("warmup", "N", "unprofiled steps first, which also compile the kernels",
                DEFAULT_WARMUP));
        o.addOption(Option.builder().longOpt("json").desc("print JSON instead of tables").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        int B = Flags.intValue(line, "batch", DEFAULT_BATCH, 1, 1 << 16);
        int T = Flags.intValue(line, "seq", DEFAULT_SEQ, 1, 1 << 16);
        int V = Flags.intValue(line, "vocab", DEFAULT_VOCAB, 2, 1 << 20);
        int steps = Flags.intValue(line, "steps", DEFAULT_STEPS, 1, 10_000);
        int warmup = Flags.intValue(line, "warmup", DEFAULT_WARMUP, 0, 10_000);
        GptConfig config = ModelOptions.parse(line, V, T);
        boolean json = line.hasOption("json");
        try (Backend backend = BackendOptions.open(line, "auto")) {
            if (!json) {
                out.println("backend: " + backend.describe());
                out.printf("model: %s, batch %d x %d positions%n", config, B, T);
            }
            GptModel model = new GptModel(config, backend);
            model.initialize(1);
            Trainer trainer = new Trainer(model, B, T, AdamWConfig.paper(), 1);
            Batch batch = randomBatch(B, T, V, 7);
            for (int i = 0; i < warmup; i++) {
                trainer.step(batch, 1e-4f);
            }
            backend.finish();
            backend.resetProfile();
            backend.setProfiling(true);
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                trainer.step(batch, 1e-4f);
            }
            backend.finish();
            double wallMs = (System.nanoTime() - start) / 1e6 / steps;
            Profile profile = backend.profile();
            // on OpenCL the same device time is also kept per kernel, which shows what dominates inside a task
            ProfileTable byKernel = backend instanceof OpenClBackend cl
                    ? ProfileTable.ofKernels("the same time by OpenCL kernel", cl.kernelProfile())
                    : null;
            backend.setProfiling(false);

            String title = String.format("training step of %s on %s (%d step%s)", describe(config), backend.name(),
                    steps, steps == 1 ? "" : "s");
            ProfileTable table = ProfileTable.of(title, profile, trainer.trainPlan().graph().tasks());
            ProfileTable byOp = table.byOp();
            double tokensPerSecond = B * (double) T / (wallMs / 1e3);
            if (json) {
                JsonObject root = new JsonObject();
                root.addProperty("backend", backend.describe());
                root.addProperty("model", describe(config));
                root.addProperty("batch", B);
                root.addProperty("positions", T);
                root.addProperty("steps", steps);
                root.addProperty("profiledWallMsPerStep", wallMs);
                root.addProperty("tokensPerSecond", tokensPerSecond);
                root.add("tasks", table.toJson());
                root.add("byOp", byOp.toJson());
                if (byKernel != null) {
                    root.add("byKernel", byKernel.toJson());
                }
                out.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
                        .toJson(root));
            } else {
                out.println();
                out.print(table.toText());
                out.println();
                out.print(byOp.toText());
                if (byKernel != null) {
                    out.println();
                    out.print(byKernel.toText());
                }
                out.printf("%nwall time per profiled step %.1f ms (%.0f tokens/s); profiling may serialize the "
                        + "device, so unprofiled steps can be faster%n", wallMs, tokensPerSecond);
            }
        }
        return 0;
    }

    private static String describe(GptConfig c) {
        return c.layers() + "L/" + c.heads() + "H/" + c.dim() + " V" + c.vocab();
    }

    /** Random tokens and targets, positions 0..T-1, loss on the second half of each row (the answer's share). */
    static Batch randomBatch(int B, int T, int V, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = B * T;
        int[] tokens = new int[n], targets = new int[n], positions = new int[n];
        float[] mask = new float[n];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                int i = b * T + t;
                tokens[i] = r.nextInt(V);
                targets[i] = r.nextInt(V);
                positions[i] = t;
                mask[i] = t >= T / 2 ? 1f : 0f;
            }
        }
        return new Batch(B, T, tokens, targets, mask, positions);
    }
}

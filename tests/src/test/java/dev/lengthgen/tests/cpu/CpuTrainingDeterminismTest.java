package dev.lengthgen.tests.cpu;

import dev.lengthgen.engine.cpu.CpuBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A run on the cpu backend is repeatable bit for bit, and does not depend on the thread count: several training
 * steps of a small model (heads of 16 channels, the loss on the answer rows, so the last block runs on those rows
 * only) give the same losses and the same parameters, to the last bit, on 1, 2 and 3 threads, and twice on one.
 */
class CpuTrainingDeterminismTest {
    private static final int STEPS = 6;

    @ParameterizedTest(name = "dropout {0}")
    @ValueSource(floats = {0f, 0.1f})
    void lossesAndParametersDoNotDependOnTheThreadCount(float dropout) {
        ArithmeticTask task = ArithmeticTask.of(Operation.ADD, 0);
        Codec codec = new Codec(task, Format.defaults(task, 5));
        int T = codec.maxSequenceLength(5) - 1, B = 16;
        GptConfig config = new GptConfig(2, 4, 64, T + 1, codec.vocabulary().size(), dropout, false, true);
        Dataset data = new Dataset(task, codec.format(), DigitSpec.parse("1-5"), Sampler.A, 3, B * STEPS);
        BatchBuilder builder = new BatchBuilder(codec, T);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            batches.add(builder.build(data.trainBatch(i, B)));
        }
        Run one = train(config, batches, T, 1);
        assertArrayEquals(one.losses, train(config, batches, T, 1).losses, "the same run twice on 1 thread");
        for (int threads : new int[] {2, 3}) {
            Run other = train(config, batches, T, threads);
            assertArrayEquals(one.losses, other.losses, "losses on 1 and " + threads + " threads");
            assertArrayEquals(one.params, other.params, "parameters on 1 and " + threads + " threads");
        }
    }

    private record Run(int[] losses, int[] params) {
    }

    private static Run train(GptConfig config, List<Batch> batches, int T, int threads) {
        try (CpuBackend backend = new CpuBackend(threads)) {
            GptModel model = new GptModel(config, backend);
            model.initialize(5);
            Trainer trainer = new Trainer(model, batches.get(0).B(), T, AdamWConfig.paper(), 5);
            int[] losses = new int[batches.size()];
            for (int i = 0; i < batches.size(); i++) {
                losses[i] = Float.floatToRawIntBits(trainer.step(batches.get(i), 1e-3f));
            }
            float[] p = model.downloadParameters();
            int[] bits = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                bits[i] = Float.floatToRawIntBits(p[i]);
            }
            return new Run(losses, bits);
        }
    }
}

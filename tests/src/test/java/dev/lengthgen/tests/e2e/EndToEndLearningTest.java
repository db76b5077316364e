package dev.lengthgen.tests.e2e;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.Backends;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.LrSchedule;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.sequence.Predictor;
import dev.lengthgen.runner.sequence.BatchBuilder;
import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.Format;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model trained from scratch learns 2-digit addition: at least 95% exact match on held-out pairs it never saw,
 * within a fixed step budget. It trains on the cpu backend (proven op by op and step by step against the reference
 * by the parity tests), which keeps the suite short; the held-out accuracy is checked every 250 steps and training
 * stops once it reaches the bar, since when a small model "clicks" on carries varies with the seed.
 */
class EndToEndLearningTest {

    @Test
    void learnsTwoDigitAdditionOnTheReferenceBackend() {
        ArithmeticTask task = ArithmeticTask.of(Operation.ADD, 0);
        Format format = Format.defaults(task, 2);
        Codec codec = new Codec(task, format);
        Dataset data = new Dataset(task, format, DigitSpec.parse("1,2"), Sampler.A, 1, 6000);
        List<Problem> heldOut = data.testSet(2, 400);
        int T = codec.maxSequenceLength(2) - 1;
        GptConfig config = new GptConfig(2, 4, 64, T + 1, codec.vocabulary().size(), 0f, false, true);
        int budget = 3000, evalEvery = 250, batch = 64;
        LrSchedule lr = new LrSchedule(LrSchedule.Kind.CONST, 2e-3f, 2e-3f, 50, budget);

        long t0 = System.nanoTime();
        try (Backend backend = Backends.open("cpu", null, 0)) {
            GptModel model = new GptModel(config, backend);
            model.initialize(1);
            Trainer trainer = new Trainer(model, batch, T, AdamWConfig.paper(), 1);
            BatchBuilder batches = new BatchBuilder(codec, T);
            Predictor predictor = new Predictor(model, codec, 200, T + 1);
            float loss = 0;
            double accuracy = 0;
            int step = 0;
            while (step < budget && accuracy < 0.95) {
                for (int k = 0; k < evalEvery; k++) {
                    step++;
                    loss = trainer.step(batches.build(data.trainBatch(step - 1, batch)), lr.at(step));
                }
                List<String> answers = predictor.answers(heldOut);
                int correct = 0;
                for (int i = 0; i < heldOut.size(); i++) {
                    correct += answers.get(i).equals(codec.answer(heldOut.get(i))) ? 1 : 0;
                }
                accuracy = (double) correct / heldOut.size();
                System.out.printf("e2e: step %d, loss %.4f, held-out exact match %.1f%% (%d/%d), %.1f s%n", step,
                        loss, 100 * accuracy, correct, heldOut.size(), (System.nanoTime() - t0) / 1e9);
            }
            assertTrue(accuracy >= 0.95, "held-out exact match " + accuracy + " < 0.95 after " + step + " steps");
        }
    }
}

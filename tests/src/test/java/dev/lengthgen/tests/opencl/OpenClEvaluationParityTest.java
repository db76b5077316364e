package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.Checkpoint;
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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint trained on OpenCL answers held-out problems identically when evaluated on OpenCL and on the reference
 * backend: the same exact-match accuracy, problem by problem.
 */
class OpenClEvaluationParityTest {

    @TempDir
    Path dir;

    @Test
    void checkpointTrainedOnOpenClEvaluatesIdenticallyOnReference() throws Exception {
        ArithmeticTask task = ArithmeticTask.of(Operation.ADD, 0);
        Format format = Format.defaults(task, 2);
        Codec codec = new Codec(task, format);
        Dataset data = new Dataset(task, format, DigitSpec.parse("1,2"), Sampler.A, 1, 6000);
        List<Problem> heldOut = data.testSet(2, 300);
        int T = codec.maxSequenceLength(2) - 1;
        GptConfig config = new GptConfig(2, 4, 64, T + 1, codec.vocabulary().size(), 0f, false, true);
        int steps = 500, batch = 64;
        LrSchedule lr = new LrSchedule(LrSchedule.Kind.COSINE, 3e-3f, 3e-4f, 50, steps);

        Path file = dir.resolve("model.safetensors");
        List<String> onOpenCl;
        try (OpenClBackend cl = OpenClAvailability.open()) {
            GptModel model = new GptModel(config, cl);
            model.initialize(1);
            Trainer trainer = new Trainer(model, batch, T, AdamWConfig.paper(), 1);
            BatchBuilder batches = new BatchBuilder(codec, T);
            for (int step = 1; step <= steps; step++) {
                trainer.step(batches.build(data.trainBatch(step - 1, batch)), lr.at(step));
            }
            Checkpoint.save(file, model, trainer, Map.of());
            onOpenCl = answers(cl, file, codec, heldOut, T);
        }
        List<String> onReference;
        try (Backend ref = new ReferenceBackend()) {
            onReference = answers(ref, file, codec, heldOut, T);
        }
        int correctCl = 0, correctRef = 0;
        for (int i = 0; i < heldOut.size(); i++) {
            String want = codec.answer(heldOut.get(i));
            correctCl += onOpenCl.get(i).equals(want) ? 1 : 0;
            correctRef += onReference.get(i).equals(want) ? 1 : 0;
        }
        System.out.printf("evaluation parity: exact match %d/%d on opencl, %d/%d on reference%n", correctCl,
                heldOut.size(), correctRef, heldOut.size());
        assertTrue(correctCl > heldOut.size() / 2, "the model learned something (" + correctCl + " correct), so "
                + "its predictions are not decided by rounding noise");
        assertEquals(correctRef, correctCl, "exact-match count");
        assertEquals(onReference, onOpenCl, "answers problem by problem");
    }

    /** Held-out answers from the checkpoint's parameters loaded onto {@code backend}. */
    private static List<String> answers(Backend backend, Path file, Codec codec, List<Problem> problems, int T)
            throws Exception {
        Checkpoint ck = Checkpoint.open(file);
        GptModel model = new GptModel(ck.config(), backend);
        ck.loadParameters(model);
        return new Predictor(model, codec, 100, T + 1).answers(problems);
    }
}

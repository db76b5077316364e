package dev.lengthgen.model;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.TaskGraph;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.decode.GreedyDecoder;
import dev.lengthgen.model.layout.Activations;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.StepInputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The KV-cache decoder must produce exactly what a full recompute of the growing sequence produces, under every
 * position scheme; the digit schemes with position ids that are neither sequential nor distinct, as data gives them.
 */
class GreedyDecoderTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(PositionConfig.Scheme.class)
    void kvCacheDecodingEqualsFullRecompute(PositionConfig.Scheme scheme) {
        GptConfig c = new GptConfig(2, 2, 16, 16, 9, 0f, true, true, PositionConfig.of(scheme));
        ReferenceBackend be = new ReferenceBackend();
        GptModel model = new GptModel(c, be);
        model.initialize(3);
        double[] p = ReferenceBackend.doubles(model.params.view());
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.5 * (r.nextDouble() - 0.5); // sharpen the logits so greedy choices are not near-ties
        }
        int rows = 3, tp = 5, maxNew = 6;
        int[][] prompts = new int[rows][tp];
        int[][] ids = new int[rows][tp + maxNew - 1];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < tp; t++) {
                prompts[b][t] = r.nextInt(c.vocab());
            }
            for (int t = 0; t < ids[b].length; t++) {
                ids[b][t] = scheme.fromDigitPlaces() ? r.nextInt(c.context()) : t;
            }
        }
        int[][] promptIds = new int[rows][], generatedIds = new int[rows][];
        for (int b = 0; b < rows; b++) {
            promptIds[b] = Arrays.copyOf(ids[b], tp);
            generatedIds[b] = Arrays.copyOfRange(ids[b], tp, ids[b].length);
        }
        GreedyDecoder decoder = new GreedyDecoder(model, 4, tp + maxNew);
        int[][] got = decoder.decode(prompts, promptIds, generatedIds, maxNew, -1);

        for (int b = 0; b < rows; b++) {
            int[] seq = Arrays.copyOf(prompts[b], tp + maxNew);
            for (int k = 0; k < maxNew; k++) {
                int T = tp + k;
                seq[T] = argmaxOfLastPosition(model, Arrays.copyOf(seq, T), Arrays.copyOf(ids[b], T));
            }
            assertArrayEquals(Arrays.copyOfRange(seq, tp, tp + maxNew), got[b], scheme + " row " + b);
        }
        if (!scheme.fromDigitPlaces()) { // the overload with sequential ids is the same decode
            assertArrayEquals(got, decoder.decode(prompts, maxNew, -1));
        }
    }

    private static int argmaxOfLastPosition(GptModel model, int[] seq, int[] pos) {
        var be = model.backend;
        GptConfig c = model.config;
        int T = seq.length;
        Batch batch = new Batch(1, T, seq, new int[T], new float[T], pos);
        Activations a = new Activations(be, c, 1, T, false, "a");
        StepInputs in = new StepInputs(be, c, 1, T, "in");
        in.upload(be, batch);
        View loss = be.allocate(DType.F32, 1, "loss").view();
        TaskGraph g = new TaskGraph("full");
        model.addForward(g, a, in, 1, T, false, GptModel.Head.LOGITS, new GptModel.StepState(), null, null, loss);
        g.plan(be).execute();
        float[] logits = new float[c.vocab()];
        be.download(a.logits.slice((long) (T - 1) * c.vocab(), c.vocab()), logits);
        int best = 0;
        for (int v = 1; v < logits.length; v++) {
            if (logits[v] > logits[best]) {
                best = v;
            }
        }
        return best;
    }
}

package dev.lengthgen.model;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.TaskGraph;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.decode.GreedyDecoder;
import dev.lengthgen.model.layout.Activations;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.StepInputs;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The KV-cache decoder must produce exactly what a full recompute of the growing sequence produces. */
class GreedyDecoderTest {

    @Test
    void kvCacheDecodingEqualsFullRecompute() {
        GptConfig c = new GptConfig(2, 2, 16, 16, 9, 0f, true, true);
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
        for (int[] row : prompts) {
            for (int t = 0; t < tp; t++) {
                row[t] = r.nextInt(c.vocab());
            }
        }
        GreedyDecoder decoder = new GreedyDecoder(model, 4, tp + maxNew);
        int[][] got = decoder.decode(prompts, maxNew, -1);

        for (int b = 0; b < rows; b++) {
            int[] seq = java.util.Arrays.copyOf(prompts[b], tp + maxNew);
            for (int k = 0; k < maxNew; k++) {
                int T = tp + k;
                seq[T] = argmaxOfLastPosition(model, java.util.Arrays.copyOf(seq, T));
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(seq, tp, tp + maxNew), got[b], "row " + b);
        }
    }

    private static int argmaxOfLastPosition(GptModel model, int[] seq) {
        var be = model.backend;
        GptConfig c = model.config;
        int T = seq.length;
        int[] pos = new int[T];
        for (int t = 0; t < T; t++) {
            pos[t] = t;
        }
        Batch batch = new Batch(1, T, seq, new int[T], new float[T], pos);
        Activations a = new Activations(be, c, 1, T, false, "a");
        StepInputs in = new StepInputs(be, 1, T, "in");
        in.upload(be, batch);
        View loss = be.allocate(DType.F32, 1, "loss").view();
        TaskGraph g = new TaskGraph("full");
        model.addForward(g, a, in, 1, T, false, GptModel.Head.LOSS, new GptModel.StepState(), null, null, loss);
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

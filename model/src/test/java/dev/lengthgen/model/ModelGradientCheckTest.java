package dev.lengthgen.model;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.ExecutionPlan;
import dev.lengthgen.engine.graph.TaskGraph;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.layout.Activations;
import dev.lengthgen.model.layout.TensorSpec;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.model.train.StepInputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every parameter gradient of a whole tiny model (the backward task graph) against central finite differences of
 * the forward task graph's loss, in double precision on the reference backend.
 */
class ModelGradientCheckTest {

    @ParameterizedTest(name = "bias={0} tied={1} dropout={2}")
    @CsvSource({"false,true,0.0", "true,false,0.0", "false,true,0.25"})
    void allParameterGradientsMatchFiniteDifferences(boolean bias, boolean tied, float dropout) {
        checkEveryParameter(TinyModels.tiny(bias, tied, dropout));
    }

    /** Each position scheme's own parameters (wpe, t5's table) and every other one, through its forward path. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(PositionConfig.Scheme.class)
    void everyPositionSchemesGradientsMatchFiniteDifferences(PositionConfig.Scheme scheme) {
        checkEveryParameter(TinyModels.tiny(PositionConfig.of(scheme)));
    }

    private static void checkEveryParameter(GptConfig c) {
        float dropout = c.dropout();
        ReferenceBackend be = ReferenceBackend.forGradientChecks();
        GptModel model = new GptModel(c, be);
        model.initialize(7);
        // Larger weights than GPT-2's init make every path (attention, layernorm) contribute visibly.
        double[] p = ReferenceBackend.doubles(model.params.view());
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.3 * (r.nextDouble() - 0.5);
        }
        int B = 2, T = 6;
        Batch batch = TinyModels.randomBatch(c, B, T, 11);
        boolean drop = dropout > 0;
        Activations a = new Activations(be, c, B, T, drop, "acts");
        Activations d = Activations.gradients(be, c, B, T, drop, "dacts");
        Memory grads = be.allocate(DType.F32, model.layout.total(), "grads");
        StepInputs in = new StepInputs(be, c, B, T, "in");
        in.upload(be, batch);
        View lossSum = be.allocate(DType.F32, 1, "loss").view();
        GptModel.StepState state = new GptModel.StepState();
        state.seed = 5;
        state.step = 1;
        double count = batch.maskSum();
        state.dlossScale = (float) (1.0 / count);

        TaskGraph fb = new TaskGraph("fb");
        model.addForwardBackward(fb, a, d, grads, in, B, T, state, lossSum);
        fb.plan(be).execute();
        double[] analytic = ReferenceBackend.doubles(grads.view()).clone();
        // a second step on the same parameters gives the same gradients: nothing of the first is left to add to
        fb.plan(be).execute();
        assertArrayEquals(analytic, ReferenceBackend.doubles(grads.view()), "gradients of a repeated step");

        TaskGraph f = new TaskGraph("f");
        model.addForward(f, a, in, B, T, drop, GptModel.Head.LOSS, state, null, null, lossSum);
        ExecutionPlan forward = f.plan(be);
        double[] lossCell = ReferenceBackend.doubles(lossSum);
        int lossAt = (int) lossSum.offset();

        double h = 1e-5, worst = 0;
        String worstAt = "";
        for (TensorSpec t : model.layout.tensors()) {
            for (long k = 0; k < t.size(); k++) {
                int i = (int) (t.offset() + k);
                double saved = p[i];
                p[i] = saved + h;
                forward.execute();
                double up = lossCell[lossAt] / count;
                p[i] = saved - h;
                forward.execute();
                double down = lossCell[lossAt] / count;
                p[i] = saved;
                double numeric = (up - down) / (2 * h);
                double err = Math.abs(numeric - analytic[i])
                        / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
                if (err > worst) {
                    worst = err;
                    worstAt = t.name() + "[" + k + "] numeric " + numeric + " analytic " + analytic[i];
                }
            }
        }
        assertTrue(worst < 1e-6, "worst relative gradient error " + worst + " at " + worstAt);
    }
}

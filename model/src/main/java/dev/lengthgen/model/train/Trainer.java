package dev.lengthgen.model.train;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.ExecutionPlan;
import dev.lengthgen.engine.graph.TaskGraph;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.MemoryPlan;
import dev.lengthgen.model.layout.Activations;

/**
 * Training state of one model at a fixed batch shape (B, T): gradients, AdamW moments, activations and their
 * gradients, and two task graphs built once — the training step (forward, backward, gradient norm, AdamW) and a
 * forward-only validation pass. Per step only the batch goes up and the loss sum comes down.
 */
public final class Trainer {
    public final GptModel model;
    public final int B;
    public final int T;
    public final AdamWConfig adamw;
    public final Memory grads;
    public final Memory m;
    public final Memory v;
    private final Backend backend;
    private final Activations acts;
    private final Activations dacts;
    private final StepInputs inputs;
    private final View lossSum;
    private final View normSquared;
    private final GptModel.StepState state = new GptModel.StepState();
    /** Where the loss sum comes down to (one array for every step). */
    private final float[] lossHost = new float[1];
    private final ExecutionPlan trainPlan;
    private final ExecutionPlan validationPlan;
    private float lr;
    /** Optimizer steps taken so far (AdamW's t of the last update). */
    private int stepsTaken;

    public Trainer(GptModel model, int B, int T, AdamWConfig adamw, long seed) {
        this.model = model;
        this.B = B;
        this.T = T;
        this.adamw = adamw;
        this.backend = model.backend;
        MemoryPlan.training(model.config, B, T).check(backend);
        long n = model.layout.total();
        grads = backend.allocate(DType.F32, n, "grads");
        m = backend.allocate(DType.F32, n, "adam.m");
        v = backend.allocate(DType.F32, n, "adam.v");
        boolean dropout = model.config.dropout() > 0;
        acts = new Activations(backend, model.config, B, T, dropout, "activations");
        dacts = Activations.gradients(backend, model.config, B, T, dropout, "activation grads");
        inputs = new StepInputs(backend, model.config, B, T, "batch");
        Memory scalars = backend.allocate(DType.F32, 2, "scalars");
        lossSum = scalars.view(0, 1);
        normSquared = scalars.view(1, 1);
        state.seed = seed;

        TaskGraph train = new TaskGraph("train-step");
        model.addForwardBackward(train, acts, dacts, grads, inputs, B, T, state, lossSum);
        addOptimizer(train);
        trainPlan = train.plan(backend);

        TaskGraph validate = new TaskGraph("validate");
        model.addForward(validate, acts, inputs, B, T, false, GptModel.Head.LOSS, state, null, null, lossSum);
        validationPlan = validate.plan(backend);
    }

    /** One AdamW parameter group: a contiguous range of the parameter buffer and its weight decay. */
    private record Group(View params, View grads, View m, View v, float weightDecay) {
    }

    private Group group(long from, long count, float weightDecay) {
        return new Group(model.params.view(from, count), grads.view(from, count), m.view(from, count),
                v.view(from, count), weightDecay);
    }

    private void addOptimizer(TaskGraph g) {
        final long n = model.layout.total(), decay = model.layout.decayCount();
        final View allGrads = grads.view();
        // Matrices first (decayed), then vectors (not): the layout keeps each group contiguous.
        final Group[] groups = {group(0, decay, adamw.weightDecay()), group(decay, n - decay, 0f)};
        g.task("gradnorm", 2.0 * n, 4.0 * n, () -> backend.sumOfSquares(normSquared, allGrads, n));
        g.task("adamw", 10.0 * n, 4.0 * 7 * n, () -> {
            int t = stepsTaken + 1;
            for (Group p : groups) {
                backend.adamw(p.params(), p.grads(), p.m(), p.v(), normSquared, adamw.gradClip(), lr, adamw.beta1(),
                        adamw.beta2(), adamw.eps(), p.weightDecay(), t, p.params().length());
            }
        });
    }

    /**
     * One optimizer step on a batch: forward, backward, clip, AdamW. Returns the masked mean loss of the batch
     * (before the update). The dropout masks are keyed by the step number, so the step is reproducible.
     */
    public float step(Batch batch, float learningRate) {
        double count = prepare(batch, learningRate);
        trainPlan.execute();
        stepsTaken++;
        return meanLoss(count);
    }

    /** Masked mean loss of a batch without dropout and without touching any state. */
    public float validationLoss(Batch batch) {
        checkShape(batch);
        double count = batch.maskSum();
        state.dlossScale = 0f;
        inputs.upload(backend, batch);
        validationPlan.execute();
        return meanLoss(count);
    }

    private float meanLoss(double count) {
        backend.download(lossSum, lossHost);
        return count > 0 ? (float) (lossHost[0] / count) : 0f;
    }

    private void checkShape(Batch batch) {
        if (batch.B() != B || batch.T() != T) {
            throw new IllegalArgumentException("batch is " + batch.B() + "x" + batch.T()
                    + " but the trainer was built for " + B + "x" + T);
        }
    }

    public int stepsTaken() {
        return stepsTaken;
    }

    /** Restores the optimizer step count (with the moments uploaded separately) when resuming. */
    public void setStepsTaken(int steps) {
        this.stepsTaken = steps;
    }

    public ExecutionPlan trainPlan() {
        return trainPlan;
    }

    /** The activations of the last step, for whole-step comparisons across backends. */
    public Activations activations() {
        return acts;
    }

    public Activations activationGradients() {
        return dacts;
    }

    public StepInputs inputs() {
        return inputs;
    }

    /**
     * Uploads the batch and sets the step's values exactly as {@link #step} does, without executing, so a caller can
     * run {@link #trainPlan()} task by task (whole-step comparisons across backends). Returns the mask count.
     */
    public double prepare(Batch batch, float learningRate) {
        checkShape(batch);
        double count = batch.maskSum();
        state.step = stepsTaken + 1;
        state.dlossScale = count > 0 ? (float) (1.0 / count) : 0f;
        lr = learningRate;
        inputs.upload(backend, batch);
        return count;
    }
}

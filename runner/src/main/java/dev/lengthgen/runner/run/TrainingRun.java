package dev.lengthgen.runner.run;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.CheckpointException;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.sequence.Predictor;

import java.io.IOException;
import java.io.PrintStream;

/**
 * One run's model and optimizer on a backend, ready to start in its folder or to continue from its checkpoint. This
 * is the training of one run that `lengthgen train` and every run of an experiment share: {@link #build} allocates
 * everything the run will need (so a model that does not fit fails before any file is touched); {@link #startIn} or
 * {@link #resumeIn} then writes to the locked folder and hands back the {@link TrainingLoop} that trains it.
 */
public final class TrainingRun {
    private final TrainSettings settings;
    private final Trainer trainer;
    private final Predictor predictor;

    private TrainingRun(TrainSettings settings, Trainer trainer, Predictor predictor) {
        this.settings = settings;
        this.trainer = trainer;
        this.predictor = predictor;
    }

    /** Builds the model, optimizer and evaluation decoder of a run; a model that does not fit is a usage error. */
    public static TrainingRun build(TrainSettings s, Backend backend) throws UsageException {
        try {
            GptModel model = new GptModel(s.model(), backend);
            Trainer trainer = new Trainer(model, s.batch(), s.trainT(), s.adamw(), s.seed());
            return new TrainingRun(s, trainer, TrainingLoop.predictor(s, model));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Starts a new run in a folder prepared for it ({@link RunFolder#prepareNewRun}): weights initialised from the
     * seed, config.json written (the run has started; what it replaced is deleted).
     */
    public TrainingLoop startIn(RunFolder folder, PrintStream out) throws IOException {
        trainer.model.initialize(settings.seed());
        folder.startNewRun(RunDescription.configJson(settings));
        describe(out);
        return new TrainingLoop(settings, folder, trainer, predictor, BestScore.NONE, MetricsLog.Cut.EMPTY, out);
    }

    /**
     * Continues a run from the state {@link Resume#find} checked: weights and optimizer from its latest checkpoint,
     * its best score, its metrics log cut after the checkpoint's step. Files left by a killed process are cleaned
     * up first.
     */
    public TrainingLoop resumeIn(RunFolder folder, Resume from, PrintStream out) throws IOException {
        try {
            from.latest().checkpoint().loadParameters(trainer.model);
            from.latest().checkpoint().loadOptimizer(trainer);
        } catch (CheckpointException e) {
            throw new IOException(e.getMessage(), e);
        }
        folder.recover();
        folder.cleanTemporaryFiles();
        out.println("resuming " + folder.dir + " at step " + trainer.stepsTaken() + " of " + settings.steps());
        describe(out);
        return new TrainingLoop(settings, folder, trainer, predictor, from.latest().best(), from.metrics(), out);
    }

    private void describe(PrintStream out) {
        TrainSettings s = settings;
        out.printf("model: %s, positions %s, %,d parameters; training %s on %s, %d steps of %d x %d tokens%n",
                s.model(), s.model().position().describe(), trainer.model.layout.total(), s.task().describe(),
                s.train(), s.steps(), s.batch(), s.trainT());
    }
}

package dev.lengthgen.runner.run;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.profile.ProfileTable;
import dev.lengthgen.runner.sequence.BatchBuilder;
import dev.lengthgen.runner.sequence.Predictor;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.eval.LengthResult;
import dev.lengthgen.tasks.eval.Scorer;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.sampling.Dataset;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The training loop of one run: batches from the dataset, a {@link Trainer} step each, metrics every logEvery
 * steps, and every evalEvery steps a validation loss, exact match on a fixed held-out sample per test length, and
 * checkpoints (latest; best by in-distribution exact match). Stops with the step number when the loss is not finite.
 *
 * <p>Order of writes at an evaluation step, so that a kill between any two leaves a state a resume continues from
 * exactly: the step's metrics line; then best.safetensors when the step beats the best so far; then
 * latest.safetensors. Each checkpoint records the best score so far, so a resume from latest keeps comparing
 * against it; a kill after best and before latest resumes from the previous latest, evaluates the same step again
 * with the same result and writes the same best.
 */
public final class TrainingLoop {
    /** Thrown when the loss stops being finite; the run's last checkpoint is left as it was. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    /** How a call of {@link #run} ended. */
    public enum Outcome {
        /** Trained to the step budget. */
        FINISHED,
        /** Stopped early at a {@link StopRequest}, its latest checkpoint saved at the step it stopped after. */
        STOPPED
    }

    /** Hears each optimizer step of a run (a progress display across many runs). */
    public interface StepListener {
        void stepped(int step, int steps);
    }

    private final TrainSettings s;
    private final RunFolder folder;
    private final Trainer trainer;
    private final PrintStream out;
    private final Codec codec;
    private final Scorer scorer;
    private final Dataset dataset;
    private final BatchBuilder batches;
    private final Map<Integer, List<Problem>> evalSets = new LinkedHashMap<>();
    private final List<Problem> validationProblems = new ArrayList<>();
    private final Predictor predictor;
    private final MetricsLog.Cut metricsCut;
    private BestScore best;
    private StepListener listener;

    /**
     * @param best       the best evaluation so far ({@link BestScore#NONE} for a new run)
     * @param metricsCut where the run's metrics log continues
     */
    TrainingLoop(TrainSettings s, RunFolder folder, Trainer trainer, Predictor predictor, BestScore best,
                 MetricsLog.Cut metricsCut, PrintStream out) {
        this.s = s;
        this.folder = folder;
        this.trainer = trainer;
        this.predictor = predictor;
        this.best = best;
        this.metricsCut = metricsCut;
        this.out = out;
        this.codec = s.codec();
        this.scorer = new Scorer(codec);
        this.dataset = s.dataset();
        this.batches = new BatchBuilder(codec, s.trainT(), s.model().position(), s.seed(), s.randomPadding());
        TreeSet<Integer> lengths = new TreeSet<>(s.test().lengths());
        lengths.addAll(s.train().lengths()); // the in-distribution accuracy is always measured
        for (int d : lengths) {
            List<Problem> set = dataset.testSet(d, s.evalSamples(), s.testSampler());
            if (!set.isEmpty()) { // a length whose every pair is a training pair has nothing unseen to test
                evalSets.put(d, set);
            }
        }
        // Validation loss on a fixed batch of unseen in-distribution pairs, spread over the training lengths.
        int per = Math.max(1, s.batch() / s.train().lengths().size());
        for (int d : s.train().lengths()) {
            for (Problem p : dataset.testSet(d, per, s.testSampler())) {
                if (validationProblems.size() < s.batch()) {
                    validationProblems.add(p);
                }
            }
        }
        while (validationProblems.size() < s.batch()) {
            validationProblems.add(validationProblems.get(validationProblems.size() % Math.max(1,
                    validationProblems.size())));
        }
    }

    /** The decoder of the evaluations during training, built with the model so that its memory is checked first. */
    static Predictor predictor(TrainSettings s, GptModel model) {
        return new Predictor(model, s.codec(), Math.min(s.batch(), 256), s.decodeT() + 1);
    }

    /** Calls the listener after every optimizer step of {@link #run}. */
    public TrainingLoop onStep(StepListener listener) {
        this.listener = listener;
        return this;
    }

    public Trainer trainer() {
        return trainer;
    }

    /**
     * Trains from the state in the trainer (fresh or resumed) up to the run's step budget, or until {@code stop} is
     * requested. With profile set, every training step's tasks are timed (which serializes the device) and the
     * per-op table of the whole run is printed at the end.
     *
     * @throws DivergedException when the loss stops being finite
     */
    public Outcome run(boolean showProgressBar, boolean profile, StopRequest stop) throws IOException {
        GptModel model = trainer.model;
        Backend backend = model.backend;
        int start = trainer.stepsTaken();
        double tokensPerStep = (double) s.batch() * batches.T();
        try (MetricsLog log = MetricsLog.open(folder.file(RunFolder.METRICS), metricsCut);
             ProgressBar bar = showProgressBar ? new ProgressBarBuilder().setTaskName("train").setInitialMax(s.steps())
                     .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                     .startsFrom(start, Duration.ZERO).build() : null) {
            long windowStart = System.nanoTime();
            int windowSteps = 0;
            for (int step = start + 1; step <= s.steps(); step++) {
                float lr = s.schedule().at(step);
                var batch = batches.buildTraining(dataset.trainBatch(step - 1, s.batch()), step - 1);
                backend.setProfiling(profile);
                float loss = trainer.step(batch, lr);
                backend.setProfiling(false);
                windowSteps++;
                if (!Float.isFinite(loss)) {
                    throw new DivergedException("the training loss became " + loss + " at step " + step
                            + " (lr " + lr + "): lower --lr or raise --warmup; the last checkpoint is kept");
                }
                boolean logNow = step % s.logEvery() == 0 || step == s.steps();
                boolean evalNow = step % s.evalEvery() == 0 || step == s.steps();
                if (logNow || evalNow) {
                    double seconds = (System.nanoTime() - windowStart) / 1e9;
                    double tokensPerSecond = windowSteps * tokensPerStep / Math.max(seconds, 1e-9);
                    windowStart = System.nanoTime();
                    windowSteps = 0;
                    JsonObject rec = new JsonObject();
                    rec.addProperty("step", step);
                    rec.addProperty("loss", loss);
                    rec.addProperty("lr", lr);
                    rec.addProperty("tokens_per_s", Math.round(tokensPerSecond));
                    if (bar != null) {
                        bar.setExtraMessage(String.format(" loss %.4f  %,.0f tok/s", loss, tokensPerSecond));
                    }
                    boolean newBest = evalNow && evaluate(rec, step);
                    log.write(rec);
                    if (evalNow) {
                        if (newBest) {
                            save(RunFolder.BEST);
                        }
                        save(RunFolder.LATEST);
                    }
                    if (bar == null) {
                        out.println(new GsonBuilder().create().toJson(rec));
                    }
                }
                if (bar != null) {
                    bar.stepTo(step);
                }
                if (listener != null) {
                    listener.stepped(step, s.steps());
                }
                if (stop.requested() && step < s.steps()) {
                    if (!evalNow) {
                        save(RunFolder.LATEST);
                    }
                    return Outcome.STOPPED;
                }
            }
        }
        if (profile) {
            out.print(ProfileTable.of("training steps " + (start + 1) + ".." + s.steps() + " on " + backend.name(),
                    backend.profile(), trainer.trainPlan().graph().tasks()).byOp().toText());
        }
        return Outcome.FINISHED;
    }

    private void save(String file) throws IOException {
        try {
            Checkpoint.save(folder.file(file), trainer.model, trainer, RunCheckpoint.metadata(s, best));
        } catch (IOException e) {
            throw new FileWriteException(folder.file(file), e);
        }
    }

    /** Adds the evaluation to the step's record; returns whether it is the run's best so far (and records it). */
    private boolean evaluate(JsonObject rec, int step) {
        float valLoss = trainer.validationLoss(batches.build(validationProblems));
        rec.addProperty("val_loss", valLoss);
        JsonObject acc = new JsonObject();
        JsonObject fhat = new JsonObject();
        double idCorrect = 0, idCount = 0;
        for (Map.Entry<Integer, List<Problem>> e : evalSets.entrySet()) {
            List<Problem> problems = e.getValue();
            LengthResult r = scorer.score(e.getKey(), s.train(), problems, predictor.answers(problems));
            acc.addProperty(Integer.toString(e.getKey()), r.exact());
            fhat.addProperty(Integer.toString(e.getKey()), r.fhat());
            if (s.train().contains(e.getKey())) {
                idCorrect += r.exact() * problems.size();
                idCount += problems.size();
            }
        }
        double exact = idCount > 0 ? idCorrect / idCount : 0;
        rec.addProperty("exact", exact);
        rec.add("acc", acc);
        rec.add("fhat", fhat);
        if (best.beatenBy(exact, valLoss)) {
            best = new BestScore(step, exact, valLoss);
            return true;
        }
        return false;
    }
}

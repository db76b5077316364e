package dev.lengthgen.runner.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.model.train.Trainer;
import dev.lengthgen.runner.eval.Predictor;
import dev.lengthgen.runner.profile.ProfileTable;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of one run: batches from the dataset, a {@link Trainer} step each, metrics every logEvery
 * steps, and every evalEvery steps a validation loss, exact match on a fixed held-out sample per test length, and
 * checkpoints (latest; best by in-distribution exact match). Stops with the step number when the loss is not finite.
 */
public final class TrainingRun {
    /** Thrown when the loss stops being finite; the run's last checkpoint is left as it was. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    private final TrainSettings s;
    private final RunDirectory dir;
    private final Backend backend;
    private final PrintStream out;
    private final Codec codec;
    private final Scorer scorer;
    private final Dataset dataset;
    private final BatchBuilder batches;
    private final Map<Integer, List<Problem>> evalSets = new LinkedHashMap<>();
    private final List<Problem> validationProblems = new ArrayList<>();
    private double bestExact = -1;
    private double bestValLoss = Double.POSITIVE_INFINITY;

    public TrainingRun(TrainSettings s, RunDirectory dir, Backend backend, PrintStream out) {
        this.s = s;
        this.dir = dir;
        this.backend = backend;
        this.out = out;
        this.codec = s.codec();
        this.scorer = new Scorer(codec);
        this.dataset = s.dataset();
        this.batches = new BatchBuilder(codec, s.trainT(), s.model().position(), s.seed(), s.randomPadding());
        java.util.TreeSet<Integer> lengths = new java.util.TreeSet<>(s.test().lengths());
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
            validationProblems.add(validationProblems.get(validationProblems.size() % Math.max(1, validationProblems.size())));
        }
    }

    /** Hears each optimizer step of a run (a progress display across many runs). */
    public interface StepListener {
        void stepped(int step, int steps);
    }

    private StepListener listener;

    /** Calls the listener after every optimizer step of {@link #run}. */
    public TrainingRun onStep(StepListener listener) {
        this.listener = listener;
        return this;
    }

    public Dataset dataset() {
        return dataset;
    }

    public TrainSettings settings() {
        return s;
    }

    public RunDirectory dir() {
        return dir;
    }

    public Backend backend() {
        return backend;
    }

    public PrintStream out() {
        return out;
    }

    /**
     * Trains from the state in {@code trainer} (fresh or resumed) up to s.steps() optimizer steps.
     *
     * @param metadata stored in every checkpoint (how to rebuild the task and format)
     */
    public void run(Trainer trainer, Map<String, String> metadata, boolean showProgressBar) throws IOException {
        run(trainer, metadata, showProgressBar, false);
    }

    /**
     * As {@link #run(Trainer, Map, boolean)}; with profile set, every training step's tasks are timed (which serializes
     * the device) and the per-op table of the whole run is printed at the end.
     */
    public void run(Trainer trainer, Map<String, String> metadata, boolean showProgressBar, boolean profile)
            throws IOException {
        GptModel model = trainer.model;
        Predictor predictor = new Predictor(model, codec, Math.min(s.batch(), 256), s.decodeT() + 1);
        int start = trainer.stepsTaken();
        double tokensPerStep = (double) s.batch() * batches.T();
        try (MetricsLog log = MetricsLog.open(dir.file(RunDirectory.METRICS), start);
             ProgressBar bar = showProgressBar ? new ProgressBarBuilder().setTaskName("train").setInitialMax(s.steps())
                     .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                     .startsFrom(start, java.time.Duration.ZERO).build() : null) {
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
                JsonObject rec = null;
                if (logNow || evalNow) {
                    double seconds = (System.nanoTime() - windowStart) / 1e9;
                    double tokensPerSecond = windowSteps * tokensPerStep / Math.max(seconds, 1e-9);
                    windowStart = System.nanoTime();
                    windowSteps = 0;
                    rec = new JsonObject();
                    rec.addProperty("step", step);
                    rec.addProperty("loss", loss);
                    rec.addProperty("lr", lr);
                    rec.addProperty("tokens_per_s", Math.round(tokensPerSecond));
                    if (bar != null) {
                        bar.setExtraMessage(String.format(" loss %.4f  %,.0f tok/s", loss, tokensPerSecond));
                    }
                }
                if (evalNow) {
                    evaluate(trainer, predictor, rec, metadata);
                }
                if (rec != null) {
                    log.write(rec);
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
            }
        }
        if (profile) {
            out.print(ProfileTable.of("training steps " + (start + 1) + ".." + s.steps() + " on " + backend.name(),
                    backend.profile(), trainer.trainPlan().graph().tasks()).byOp().toText());
        }
    }

    private void evaluate(Trainer trainer, Predictor predictor, JsonObject rec, Map<String, String> metadata)
            throws IOException {
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
        Checkpoint.save(dir.file(RunDirectory.LATEST), trainer.model, trainer, metadata);
        if (exact > bestExact || (exact == bestExact && valLoss < bestValLoss)) {
            bestExact = exact;
            bestValLoss = valLoss;
            Checkpoint.save(dir.file(RunDirectory.BEST), trainer.model, trainer, metadata);
        }
    }
}

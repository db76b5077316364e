package dev.lengthgen.runner.reproduce;

import com.google.gson.JsonObject;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.eval.Evaluation;
import dev.lengthgen.runner.eval.ResultTable;
import dev.lengthgen.runner.train.RunDirectory;
import dev.lengthgen.runner.train.TrainCommand;
import dev.lengthgen.runner.train.TrainSettings;
import dev.lengthgen.runner.train.TrainingRun;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains and evaluates the runs of an experiment that are not finished yet: a run with result.json is skipped, one
 * with a checkpoint resumes from it, the others start fresh. Each run writes its own log (train.log); the final
 * evaluation of the trained model on every test length goes to result.json, whose presence marks the run done.
 * {@code jobs} runs train at once, each on its own backend with its share of the cores.
 */
final class ExperimentRunner {
    private static final int EVAL_BATCH = 256;

    private final ExperimentDirectory dir;
    private final ExperimentOptions options;
    private final int jobs;

    ExperimentRunner(ExperimentDirectory dir, ExperimentOptions options, int jobs) {
        this.dir = dir;
        this.options = options;
        this.jobs = jobs;
    }

    /** Everything checked before any training: each plan's settings parse, and no folder holds another run. */
    List<TrainSettings> prepare(List<RunPlan> plans) throws UsageException {
        List<TrainSettings> settings = new ArrayList<>();
        for (RunPlan p : plans) {
            dir.checkCompatible(p);
            settings.add(settingsOf(p));
        }
        return settings;
    }

    /** @return the ids of the runs that failed (diverged), empty when all finished */
    List<String> run(String name, List<RunPlan> plans, List<TrainSettings> settings, PrintStream out,
                     boolean terminal) throws Exception {
        int done = 0;
        long totalSteps = 0, stepsDone = 0;
        for (int i = 0; i < plans.size(); i++) {
            totalSteps += settings.get(i).steps();
            if (dir.finished(plans.get(i).id())) {
                done++;
                stepsDone += settings.get(i).steps();
            } else {
                stepsDone += checkpointStep(plans.get(i), settings.get(i));
            }
        }
        int every = settings.isEmpty() ? 1 : settings.get(0).evalEvery();
        List<String> failed = new ArrayList<>();
        try (ExperimentProgress progress = new ExperimentProgress(name, out, terminal, plans.size(), totalSteps, done,
                stepsDone, every)) {
            ExecutorService pool = Executors.newFixedThreadPool(jobs);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < plans.size(); i++) {
                    RunPlan plan = plans.get(i);
                    TrainSettings s = settings.get(i);
                    if (!dir.finished(plan.id())) {
                        results.add(pool.submit(() -> runOne(plan, s, progress)));
                    }
                }
                for (Future<String> f : results) {
                    String failure = f.get();
                    if (failure != null) {
                        failed.add(failure);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return failed;
    }

    /** Trains (or resumes) and evaluates one run; returns its id if it diverged, else null. */
    private String runOne(RunPlan plan, TrainSettings s, ExperimentProgress progress) throws Exception {
        RunDirectory runDir = RunDirectory.createOrReuse(dir.runDir(plan.id()));
        Checkpoint checkpoint = TrainCommand.latestOf(runDir, s);
        if (checkpoint == null) {
            runDir = RunDirectory.createNew(dir.runDir(plan.id()), true); // a start killed before its first checkpoint
        }
        runDir.writeAtomically(ExperimentDirectory.PLAN, ExperimentDirectory.GSON.toJson(plan.toJson()));
        long start = System.nanoTime();
        progress.started(plan.id(), checkpoint == null ? 0 : checkpoint.step(), s.steps());
        try (PrintStream log = new PrintStream(Files.newOutputStream(runDir.file(ExperimentDirectory.LOG),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
             Backend backend = BackendOptions.open(s.backend(), s.device(), s.threads())) {
            log.println("backend: " + backend.describe());
            GptModel model;
            if (checkpoint != null && checkpoint.step() >= s.steps()) {
                model = new GptModel(checkpoint.config(), backend); // trained, killed before its evaluation
                checkpoint.loadParameters(model);
            } else {
                TrainingRun run = new TrainingRun(s, runDir, backend, log)
                        .onStep((step, steps) -> progress.stepped(plan.id(), step, steps));
                try {
                    model = TrainCommand.train(run, checkpoint, false, false).model;
                } catch (TrainingRun.DivergedException e) {
                    log.println(e.getMessage());
                    progress.failed(plan.id(), e.getMessage());
                    return plan.id();
                }
            }
            List<Evaluation.Row> rows = Evaluation.run(model, s, s.test(), plan.evalCount(), EVAL_BATCH);
            JsonObject result = new JsonObject();
            result.addProperty("step", s.steps());
            result.addProperty("wall_s", (System.nanoTime() - start) / 1e9);
            result.add("lengths", ResultTable.json(rows));
            runDir.writeAtomically(ExperimentDirectory.RESULT, ExperimentDirectory.GSON.toJson(result));
            progress.finished(plan.id(), summary(rows));
        }
        return null;
    }

    /** One line: exact match per length, e.g. "1:100 2:100 3:99.8 4:0.0 (%)". */
    private static String summary(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("exact %");
        for (Evaluation.Row r : rows) {
            sb.append(String.format(Locale.ROOT, " %d:%.1f", r.result().digits(), 100 * r.result().exact()));
        }
        return sb.toString();
    }

    private int checkpointStep(RunPlan plan, TrainSettings s) throws UsageException {
        if (!Files.isRegularFile(dir.runDir(plan.id()).resolve(RunDirectory.CONFIG))) {
            return 0;
        }
        Checkpoint c = TrainCommand.latestOf(RunDirectory.createOrReuse(dir.runDir(plan.id())), s);
        return c == null ? 0 : Math.min(c.step(), s.steps());
    }

    /** A plan's settings, parsed exactly as `lengthgen train` parses them, with where it runs. */
    private TrainSettings settingsOf(RunPlan plan) throws UsageException {
        List<String> args = new ArrayList<>(plan.trainArgs());
        args.add("--backend");
        args.add(options.backend());
        if (options.device() != null) {
            args.add("--device");
            args.add(options.device());
        }
        int threads = options.threads() > 0 ? options.threads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
        args.add("--threads");
        args.add(Integer.toString(threads));
        try {
            return TrainCommand.settingsFromArgs(args);
        } catch (ParseException e) {
            throw new IllegalStateException("experiment run " + plan.id() + " has bad flags: " + e.getMessage(), e);
        } catch (UsageException e) {
            throw new UsageException(plan.id() + ": " + e.getMessage());
        }
    }
}

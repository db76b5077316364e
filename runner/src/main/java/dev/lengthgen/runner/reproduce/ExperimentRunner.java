package dev.lengthgen.runner.reproduce;

import com.google.gson.JsonObject;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.evaluation.Evaluation;
import dev.lengthgen.runner.evaluation.ResultTable;
import dev.lengthgen.runner.run.Resume;
import dev.lengthgen.runner.run.RunFlags;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.StopRequest;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.runner.run.TrainingLoop;
import dev.lengthgen.runner.run.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains and evaluates the runs of an experiment that are not finished yet: a run with result.json is skipped, one
 * with a checkpoint resumes from it, the others start fresh. Each run writes its own log (train.log); the final
 * evaluation of the trained model on every test length goes to result.json, whose presence marks the run done.
 * {@code jobs} runs train at once, each on its own backend with its share of the cores. Every run's folder is locked
 * ({@link RunFolder#lock}) for as long as this process may write it, so a second process on the same experiment
 * is refused instead of training the same run twice; {@link #runOne} trains one run on its own.
 */
final class ExperimentRunner {
    private static final int EVAL_BATCH = 256;
    /** The flags of a plan that the user never gives, as words for messages ("--answer-width" before "--width"). */
    private static final List<Map.Entry<String, String>> GENERATED_FLAGS = List.of(
            Map.entry("--answer-width", "the answer width"), Map.entry("--width", "the operand width"),
            Map.entry("--context", "the model's context"), Map.entry("--test-digits", "the test lengths"),
            Map.entry("--train-digits", "the training lengths"));
    private static final String RESUME_FIX = "remove that run's folder to train it again, or choose another --out";
    /** How the line starts that a failed run leaves last in its train.log. */
    static final String FAILED = "failed: ";

    /** How one run's turn ended. */
    enum Outcome {
        /** Trained, evaluated, result.json written. */
        FINISHED,
        /** Stopped on request with its state saved; its next turn continues it. */
        STOPPED,
        /** The loss stopped being finite; its last checkpoint is kept. */
        DIVERGED
    }

    private final ExperimentDirectory dir;
    private final ExperimentOptions options;
    private final int jobs;

    ExperimentRunner(ExperimentDirectory dir, ExperimentOptions options, int jobs) {
        this.dir = dir;
        this.options = options;
        this.jobs = jobs;
    }

    /**
     * Everything checked before anything is written: each plan's settings parse, and no folder holds a run started
     * or planned otherwise.
     */
    List<TrainSettings> prepare(List<RunPlan> plans) throws UsageException {
        List<TrainSettings> settings = new ArrayList<>();
        for (RunPlan p : plans) {
            dir.checkCompatible(p);
            try {
                settings.add(settingsOf(p));
            } catch (UsageException e) {
                throw new UsageException(inUserTerms(p, e));
            }
        }
        return settings;
    }

    /** The unfinished runs' folders, locked for the life of this process, and the step each resumes from. */
    record LockedRuns(Map<String, RunFolder> folders, Map<String, Integer> resumeSteps) {
    }

    /**
     * Creates the experiment folder, locks every unfinished run and checks where each resumes. A refusal releases
     * the locks taken and removes the folder again if this call made it, so a refused command leaves nothing behind.
     */
    LockedRuns lockAndCheck(List<RunPlan> plans, List<TrainSettings> settings) throws UsageException, IOException {
        boolean existed = Files.exists(dir.dir);
        dir.create();
        Map<String, RunFolder> folders = Map.of();
        try {
            folders = lockUnfinished(plans);
            return new LockedRuns(folders, resumeSteps(plans, settings, folders));
        } catch (UsageException e) {
            folders.values().forEach(RunFolder::abandon);
            if (!existed) {
                dir.removeIfEmpty();
            }
            throw e;
        }
    }

    /**
     * Locks the folder of every unfinished run, for the life of this process. When one is held by another process,
     * the ones taken are released (and folders made for them removed) and the refusal names its pid.
     */
    Map<String, RunFolder> lockUnfinished(List<RunPlan> plans) throws UsageException {
        Map<String, RunFolder> locked = new LinkedHashMap<>();
        try {
            for (RunPlan p : plans) {
                if (!dir.finished(p.id())) {
                    locked.put(p.id(), RunFolder.lock(dir.runDir(p.id())));
                }
            }
            return locked;
        } catch (UsageException e) {
            locked.values().forEach(RunFolder::abandon);
            throw e;
        }
    }

    /**
     * The step each locked run resumes from (0 for one not started), its latest checkpoint checked against its plan;
     * writes nothing.
     */
    Map<String, Integer> resumeSteps(List<RunPlan> plans, List<TrainSettings> settings,
                                     Map<String, RunFolder> folders) throws UsageException, IOException {
        Map<String, Integer> steps = new LinkedHashMap<>();
        for (int i = 0; i < plans.size(); i++) {
            RunFolder folder = folders.get(plans.get(i).id());
            if (folder != null) {
                folder.recover();
                try (Resume from = Resume.find(folder, settings.get(i), RESUME_FIX)) {
                    steps.put(plans.get(i).id(), from == null ? 0 : Math.min(from.step(), settings.get(i).steps()));
                }
            }
        }
        return steps;
    }

    /**
     * Trains the locked runs.
     *
     * @param resumeSteps where each locked run continues ({@link #resumeSteps}), for the progress display
     * @return the ids of the runs that failed (diverged), empty when all finished
     */
    List<String> run(String name, List<RunPlan> plans, List<TrainSettings> settings, Map<String, RunFolder> folders,
                     Map<String, Integer> resumeSteps, PrintStream out, boolean terminal) throws Exception {
        int done = 0;
        long totalSteps = 0, stepsDone = 0;
        for (int i = 0; i < plans.size(); i++) {
            totalSteps += settings.get(i).steps();
            RunFolder folder = folders.get(plans.get(i).id());
            if (folder == null) {
                done++;
                stepsDone += settings.get(i).steps();
            } else {
                stepsDone += resumeSteps.getOrDefault(plans.get(i).id(), 0);
            }
        }
        int every = settings.isEmpty() ? 1 : settings.get(0).evalEvery();
        List<String> failed = new ArrayList<>();
        try (ExperimentProgress progress = new ExperimentProgress(name, out, terminal, plans.size(), totalSteps, done,
                stepsDone, every)) {
            ExecutorService pool = Executors.newFixedThreadPool(jobs);
            try {
                Map<String, Future<Outcome>> results = new LinkedHashMap<>();
                for (int i = 0; i < plans.size(); i++) {
                    RunPlan plan = plans.get(i);
                    TrainSettings s = settings.get(i);
                    RunFolder folder = folders.get(plan.id());
                    if (folder != null) {
                        results.put(plan.id(), pool.submit(() -> runOne(plan, s, folder, progress,
                                new StopRequest())));
                    }
                }
                for (Map.Entry<String, Future<Outcome>> f : results.entrySet()) {
                    if (f.getValue().get() != Outcome.FINISHED) {
                        failed.add(f.getKey());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return failed;
    }

    /**
     * Trains (or resumes) and evaluates one run in its locked folder, writing result.json, unless {@code stop} is
     * requested first: then the run stops at its next step boundary with its checkpoint saved (or, trained already,
     * between two test lengths of its final evaluation, which its next turn does again from the final checkpoint).
     * A run that fails leaves a last line in its train.log that starts with {@value #FAILED}.
     */
    Outcome runOne(RunPlan plan, TrainSettings s, RunFolder folder, ExperimentProgress progress, StopRequest stop)
            throws Exception {
        folder.recover();
        try (Resume from = Resume.find(folder, s, RESUME_FIX)) {
            if (from == null) { // never started, or a start killed before its first checkpoint
                folder.prepareNewRun(true);
            }
            AtomicFile.write(folder.file(ExperimentDirectory.PLAN), ExperimentDirectory.GSON.toJson(plan.toJson()));
            long start = System.nanoTime();
            progress.started(plan.id(), from == null ? 0 : from.step(), s.steps());
            try (PrintStream log = new PrintStream(Files.newOutputStream(folder.file(ExperimentDirectory.LOG),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
                try (Backend backend = BackendOptions.open(s.placement())) {
                    return trainAndEvaluate(plan, s, folder, from, backend, log, progress, stop, start);
                } catch (IOException | RuntimeException | UsageException e) {
                    log.println(FAILED + JsonText.firstLine(String.valueOf(e.getMessage())));
                    throw e;
                }
            }
        }
    }

    private Outcome trainAndEvaluate(RunPlan plan, TrainSettings s, RunFolder folder, Resume from, Backend backend,
                                     PrintStream log, ExperimentProgress progress, StopRequest stop, long start)
            throws IOException, UsageException {
        log.println("backend: " + backend.describe());
        TrainingRun run = TrainingRun.build(s, backend);
        GptModel model;
        if (from != null && from.step() >= s.steps()) { // trained, stopped or killed before its evaluation
            model = run.resumeIn(folder, from, log).trainer().model;
        } else {
            TrainingLoop loop = from == null ? run.startIn(folder, log) : run.resumeIn(folder, from, log);
            loop.onStep((step, steps) -> progress.stepped(plan.id(), step, steps));
            try {
                if (loop.run(false, false, stop) == TrainingLoop.Outcome.STOPPED) {
                    int step = loop.trainer().stepsTaken();
                    log.println("stopped after step " + step + " with its checkpoint saved");
                    progress.stopped(plan.id(), "after step " + step + " with its checkpoint saved");
                    return Outcome.STOPPED;
                }
            } catch (TrainingLoop.DivergedException e) {
                log.println(FAILED + e.getMessage());
                progress.failed(plan.id(), e.getMessage());
                return Outcome.DIVERGED;
            }
            model = loop.trainer().model;
        }
        List<Evaluation.Row> rows = Evaluation.run(model, s, s.test(), plan.evalCount(), EVAL_BATCH, stop);
        if (rows == null) {
            log.println("stopped during the final evaluation; the trained checkpoint is kept");
            progress.stopped(plan.id(), "during the final evaluation (the trained checkpoint is kept)");
            return Outcome.STOPPED;
        }
        JsonObject result = new JsonObject();
        result.addProperty("step", s.steps());
        result.addProperty("wall_s", (System.nanoTime() - start) / 1e9);
        result.add("lengths", ResultTable.json(rows));
        AtomicFile.write(folder.file(ExperimentDirectory.RESULT), ExperimentDirectory.GSON.toJson(result));
        progress.finished(plan.id(), summary(rows));
        return Outcome.FINISHED;
    }

    /** One line: exact match per length, e.g. "1:100 2:100 3:99.8 4:0.0 (%)". */
    private static String summary(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("exact %");
        for (Evaluation.Row r : rows) {
            sb.append(String.format(Locale.ROOT, " %d:%.1f", r.result().digits(), 100 * r.result().exact()));
        }
        return sb.toString();
    }

    /**
     * Why a plan cannot be trained, in the options the user gave: the plans' flags are generated, so a message about
     * one of them (--width, --context) is said in words, as the consequence of the option that made it so (in
     * practice --lengths, whose longest length sets the width and the sequences the model must hold).
     */
    private String inUserTerms(RunPlan plan, UsageException e) {
        String reason = e.getMessage();
        int colon = reason.indexOf(": ");
        reason = colon > 0 ? reason.substring(0, colon) : reason;
        for (Map.Entry<String, String> word : GENERATED_FLAGS) {
            reason = reason.replace(word.getKey(), word.getValue());
        }
        if (options.lengths() == null) { // the catalog's own plans parse (its tests say so): an option of another kind
            return "run " + plan.id() + " cannot be trained with these options (" + reason + ")";
        }
        return "--lengths " + options.lengths() + " is more than run " + plan.id() + " can be tested on (" + reason
                + "): choose shorter --lengths";
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
        if (options.backend().equals("cpu") || options.backend().equals("auto")) {
            int threads = options.threads() > 0 ? options.threads()
                    : Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
            args.add("--threads");
            args.add(Integer.toString(threads));
        }
        return RunFlags.parse(args);
    }
}

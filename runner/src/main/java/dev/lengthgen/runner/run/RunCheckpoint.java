package dev.lengthgen.runner.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.model.checkpoint.CheckpointException;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's checkpoint, opened through one open file and checked, field by field, before anything is allocated or
 * written: the file's structure and model config (by {@link Checkpoint#open}), its run description (the flags parse
 * and agree with the settings recorded beside them), its step (a whole number within the run's budget), its best
 * score, and, when the run's own config.json is known, that it belongs to that run (same task, format, data, model
 * and training; the step budget and where it computed may differ).
 */
public final class RunCheckpoint implements AutoCloseable {
    /** The metadata key of the run description. */
    public static final String RUN_KEY = "lengthgen.run";

    private final Checkpoint checkpoint;
    private final TrainSettings settings;
    private final BestScore best;

    private RunCheckpoint(Checkpoint checkpoint, TrainSettings settings, BestScore best) {
        this.checkpoint = checkpoint;
        this.settings = settings;
        this.best = best;
    }

    /**
     * Opens and checks a checkpoint.
     *
     * @param run          the settings of the run it must belong to (from its config.json), or null to check it on
     *                     its own (a checkpoint given by path)
     * @param needOptimizer whether it must hold the optimizer state (to resume from it)
     * @param fix          what the user should do when it is refused
     */
    public static RunCheckpoint open(Path file, TrainSettings run, boolean needOptimizer, String fix)
            throws UsageException {
        Checkpoint ck;
        try {
            ck = Checkpoint.open(file);
        } catch (CheckpointException e) {
            throw new UsageException(e.getMessage() + ": " + fix);
        }
        try {
            RunCheckpoint c = checked(ck, file, run, needOptimizer, fix);
            ck = null;
            return c;
        } finally {
            if (ck != null) {
                ck.close();
            }
        }
    }

    private static RunCheckpoint checked(Checkpoint ck, Path file, TrainSettings run, boolean needOptimizer,
                                         String fix) throws UsageException {
        String description = ck.metadata().get(RUN_KEY);
        if (description == null) {
            throw new UsageException(file + " carries no run description (" + RUN_KEY + "): it was not written by "
                    + "'lengthgen train'; " + fix);
        }
        String source = file + "'s " + RUN_KEY;
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(description);
        } catch (RuntimeException e) {
            throw new UsageException(source + " is not valid JSON (" + JsonText.position(e) + "): " + fix);
        }
        TrainSettings own = RunDescription.read(parsed, source, fix).settings();
        if (!ck.config().equals(own.model())) {
            throw new UsageException(file + "'s model config (" + Checkpoint.CONFIG_KEY + ") is not the model its run "
                    + "description asks for: the file is corrupt; " + fix);
        }
        if (ck.step() > own.steps()) {
            throw new UsageException(file + " says it was saved at step " + ck.step() + " of a run of " + own.steps()
                    + " steps: the file is corrupt; " + fix);
        }
        if (needOptimizer && !ck.hasOptimizerState()) {
            throw new UsageException(file + " has no optimizer state to resume from: " + fix);
        }
        BestScore best = BestScore.read(ck.metadata(), ck.step(), file.toString(), fix);
        if (run != null) {
            String d = RunDescription.difference(own, run);
            if (d != null) {
                throw new UsageException(file + " belongs to another run than its folder's " + RunFolder.CONFIG + " ("
                        + d + "): " + fix);
            }
        }
        return new RunCheckpoint(ck, own, best);
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** The settings of the run that saved it (from its run description; default placement). */
    public TrainSettings settings() {
        return settings;
    }

    public int step() {
        return checkpoint.step();
    }

    /** The best score of its run when it was saved. */
    public BestScore best() {
        return best;
    }

    /** What every checkpoint of a run carries besides the model: its description and its best score so far. */
    static Map<String, String> metadata(TrainSettings s, BestScore best) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RUN_KEY, RunDescription.metadata(s));
        best.addTo(m);
        return m;
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}

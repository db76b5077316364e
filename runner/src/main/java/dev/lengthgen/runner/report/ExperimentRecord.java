package dev.lengthgen.runner.report;

import com.google.gson.JsonElement;
import dev.lengthgen.runner.cli.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An experiment folder as {@code lengthgen reproduce} wrote it, read back for its report: experiment.json (what the
 * experiment is, what the theory expects, its runs in display order) and one {@link RunRecord} per run under runs/.
 * (The definition of an experiment, from which reproduce plans the runs, is reproduce's {@code Experiment}.)
 *
 * @param version  the experiment definition's version; null when not given
 * @param expected one paragraph: what the theory expects the tables to show
 * @param runs     in the order experiment.json lists them
 */
public record ExperimentRecord(Path dir, String name, Integer version, String scale, String description,
                               String expected, List<RunRecord> runs) {
    public static final String FILE = "experiment.json";
    static final String RUNS = "runs";

    /** Loads the folder; anything missing or unreadable is a {@link UsageException} saying what to do. */
    public static ExperimentRecord load(Path dir) throws UsageException {
        String fix = "give the folder that 'lengthgen reproduce' wrote (it holds " + FILE + " and runs/)";
        if (!Files.exists(dir)) {
            throw new UsageException(dir + " does not exist: " + fix);
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException(dir + " is not a folder: " + fix);
        }
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new UsageException(dir + " has no " + FILE + ": " + fix);
        }
        JsonFile f = JsonFile.read(file,
                "rerun 'lengthgen reproduce' into a new folder to rewrite it, or fix the file");
        JsonElement runIds = f.root().get("runs");
        if (runIds == null || !runIds.isJsonArray()) {
            throw f.missing("runs", "an array of run ids");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonElement e : runIds.getAsJsonArray()) {
            if (!e.isJsonPrimitive()) {
                throw f.missing("runs", "an array of run ids");
            }
            String id = e.getAsString();
            // A run id names a folder under runs/: refuse anything that would leave it.
            if (id.isEmpty() || id.contains("/") || id.contains("\\") || id.equals(".") || id.equals("..")) {
                throw new UsageException(file + ": run id '" + id + "' is not a folder name: fix the file");
            }
            ids.add(id);
        }
        List<RunRecord> runs = new ArrayList<>();
        for (String id : ids) {
            RunRecord run = RunRecord.load(dir.resolve(RUNS).resolve(id), id);
            if (run.plan() != null && !run.plan().id().equals(id)) {
                throw new UsageException(dir.resolve(RUNS).resolve(id).resolve(RunRecord.PLAN) + " says id '"
                        + run.plan().id() + "' but " + FILE + " lists it as '" + id + "': fix one of them");
            }
            runs.add(run);
        }
        return new ExperimentRecord(dir, f.string("experiment"), f.optionalInteger("version"),
                f.optionalString("scale"), f.optionalString("description"), f.optionalString("expected"),
                List.copyOf(runs));
    }

    public List<RunRecord> pending() {
        return runs.stream().filter(r -> !r.finished()).toList();
    }

    public long finishedCount() {
        return runs.stream().filter(RunRecord::finished).count();
    }
}

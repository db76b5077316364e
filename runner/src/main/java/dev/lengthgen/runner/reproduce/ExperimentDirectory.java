package dev.lengthgen.runner.reproduce;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.run.RunFlags;
import dev.lengthgen.runner.run.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder of one experiment:
 * <pre>
 *   experiment.json        name, version, scale, description, expected result, the runs in display order
 *   runs/ID/               one `lengthgen train` run folder each, plus plan.json (its labels) and, once
 *                          trained and evaluated, result.json (the final evaluation; its presence means done)
 *   report.md, table.csv, report.html, summary.json, charts/   the report, regenerated from the runs
 *   slurm/                 with --slurm: jobs.json (every submission: job ids, runs by array index), the job
 *                          scripts run-N.sbatch and report-N.sbatch of submission N, the jar the tasks run
 *                          (lengthgen-HASH.jar), logs/ (ARRAY_INDEX.out per array task, report-JOB.out)
 * </pre>
 * An existing folder is only reused for the same experiment, version and scale, so results never mix.
 */
public final class ExperimentDirectory {
    public static final String MANIFEST = "experiment.json";
    public static final String RUNS = "runs";
    public static final String PLAN = "plan.json";
    public static final String RESULT = "result.json";
    public static final String LOG = "train.log";
    /** Where a submission to Slurm keeps its scripts, jar, logs and job ids. */
    public static final String SLURM = "slurm";
    public static final String JOBS = "jobs.json";
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    public final Path dir;

    private ExperimentDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Checks, writing nothing, that a folder can hold an experiment: new, empty, or holding this experiment at this
     * version and scale. A folder that holds another experiment, another version or scale of it, or files that are
     * not an experiment's is refused.
     */
    public static ExperimentDirectory check(Path dir, Experiment e, Scale scale) throws UsageException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException(dir + " is a file: give --out a folder for the experiment");
        }
        Path manifest = dir.resolve(MANIFEST);
        if (Files.isRegularFile(manifest)) {
            JsonObject m = readObject(manifest);
            String name = string(m, "experiment");
            String version = string(m, "version");
            String sc = string(m, "scale");
            if (!e.name().equals(name) || !String.valueOf(e.version()).equals(version)
                    || !scale.cliName().equals(sc)) {
                throw new UsageException(dir + " holds experiment " + name + " (version " + version + ", scale " + sc
                        + "), not " + e.name() + " (version " + e.version() + ", scale " + scale.cliName()
                        + "): choose another --out");
            }
        } else if (Files.isDirectory(dir) && !isEmpty(dir)) {
            throw new UsageException(dir + " holds files but no " + MANIFEST + ": choose an empty or new --out");
        }
        return new ExperimentDirectory(dir);
    }

    /**
     * A folder that holds this experiment (at any version), for reading it: its manifest must be there and name it.
     *
     * @param scale the scale it must have, or null for any
     */
    public static ExperimentDirectory existing(Path dir, Experiment e, Scale scale) throws UsageException {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new UsageException(dir + " holds no experiment (no " + MANIFEST + "): give --out the folder that "
                    + "'lengthgen reproduce " + e.name() + "' wrote");
        }
        JsonObject m = readObject(manifest);
        String name = string(m, "experiment");
        String sc = string(m, "scale");
        if (!e.name().equals(name) || (scale != null && !scale.cliName().equals(sc))) {
            throw new UsageException(dir + " holds experiment " + name + " (scale " + sc + "), not " + e.name()
                    + (scale == null ? "" : " (scale " + scale.cliName() + ")") + ": check the name and --out");
        }
        return new ExperimentDirectory(dir);
    }

    /** What experiment.json says: name, version and scale, and the runs in display order. */
    public record Manifest(String experiment, String version, String scale, List<String> runs) {
    }

    /** Reads experiment.json. */
    public Manifest manifest() throws UsageException {
        JsonObject m = readObject(dir.resolve(MANIFEST));
        List<String> runs = new ArrayList<>();
        JsonElement list = m.get("runs");
        if (list != null && list.isJsonArray()) {
            for (JsonElement r : list.getAsJsonArray()) {
                if (r.isJsonPrimitive() && r.getAsString().matches("[A-Za-z0-9._=+-]+")) {
                    runs.add(r.getAsString());
                }
            }
        }
        return new Manifest(string(m, "experiment"), string(m, "version"), string(m, "scale"), runs);
    }

    public boolean hasManifest() {
        return Files.isRegularFile(dir.resolve(MANIFEST));
    }

    /** Creates the folder and its runs/ once everything has been checked. */
    public void create() throws UsageException {
        try {
            Files.createDirectories(dir.resolve(RUNS));
        } catch (IOException ex) {
            throw new UsageException("cannot write to " + dir + " (" + FileWriteException.reason(ex) + "): choose a "
                    + "writable --out");
        }
    }

    /** Removes the folder and its runs/ when nothing was put in them (a refused first start). */
    public void removeIfEmpty() {
        for (Path p : List.of(dir.resolve(RUNS), dir)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException notEmpty) {
                return;
            }
        }
    }

    public Path runDir(String id) {
        return dir.resolve(RUNS).resolve(id);
    }

    public boolean finished(String id) {
        return Files.isRegularFile(runDir(id).resolve(RESULT));
    }

    /**
     * Refuses a plan whose folder holds a run that was started with other settings (a changed definition, other
     * --lengths or --steps) or planned otherwise (another --eval-count), before anything is trained.
     */
    public void checkCompatible(RunPlan plan) throws UsageException {
        Path run = runDir(plan.id());
        String fix = "use the options it was started with, or another --out";
        Path config = run.resolve(RunFolder.CONFIG);
        if (Files.isRegularFile(config)) {
            JsonElement args = readObject(config).get("args");
            if (args == null || !args.isJsonArray()) {
                throw new UsageException(config + " has no args: remove " + run + " or choose another --out");
            }
            List<String> stored = new ArrayList<>();
            args.getAsJsonArray().forEach(a -> stored.add(a.isJsonPrimitive() ? a.getAsString() : a.toString()));
            List<String> storedRun = RunFlags.without(stored, RunFlags.PLACEMENT);
            if (!storedRun.equals(RunFlags.without(plan.trainArgs(), RunFlags.PLACEMENT))) {
                throw new UsageException(run + " was started with other settings (" + String.join(" ", storedRun)
                        + "): " + fix);
            }
        }
        Path planFile = run.resolve(PLAN);
        if (Files.isRegularFile(planFile)) {
            JsonObject stored = readObject(planFile);
            for (Map.Entry<String, JsonElement> field : plan.toJson().entrySet()) {
                JsonElement was = stored.get(field.getKey());
                if (!field.getValue().equals(was)) {
                    throw new UsageException(run + " was planned with " + field.getKey() + " " + was + ", not "
                            + field.getValue() + ": " + fix);
                }
            }
        }
    }

    /** Writes experiment.json: the experiment and every run it has held, the new ones appended in plan order. */
    public void writeManifest(Experiment e, Scale scale, List<RunPlan> plans) throws IOException, UsageException {
        Set<String> ids = new LinkedHashSet<>();
        Path manifest = dir.resolve(MANIFEST);
        if (Files.isRegularFile(manifest)) {
            JsonElement runs = readObject(manifest).get("runs");
            if (runs != null && runs.isJsonArray()) {
                runs.getAsJsonArray().forEach(r -> ids.add(r.getAsString()));
            }
        }
        plans.forEach(p -> ids.add(p.id()));
        JsonObject m = new JsonObject();
        m.addProperty("experiment", e.name());
        m.addProperty("version", e.version());
        m.addProperty("scale", scale.cliName());
        m.addProperty("description", e.description());
        m.addProperty("expected", e.expected());
        JsonArray runs = new JsonArray();
        ids.forEach(runs::add);
        m.add("runs", runs);
        AtomicFile.write(manifest, GSON.toJson(m)); // the folder exists: create() made it
    }

    private static JsonObject readObject(Path file) throws UsageException {
        return JsonText.readObject(file, "remove it or choose another --out");
    }

    private static String string(JsonObject o, String key) {
        JsonElement v = o.get(key);
        return v == null || v.isJsonNull() ? "?" : v.getAsString();
    }

    private static boolean isEmpty(Path dir) throws UsageException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException ex) {
            throw new UsageException("cannot read " + dir + ": " + ex.getMessage());
        }
    }
}

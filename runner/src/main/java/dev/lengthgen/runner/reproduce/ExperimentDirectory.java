package dev.lengthgen.runner.reproduce;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.train.TrainCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder of one experiment:
 * <pre>
 *   experiment.json        name, version, scale, description, expected result, the runs in display order
 *   runs/ID/               one `lengthgen train` run folder each, plus plan.json (its labels) and, once
 *                          trained and evaluated, result.json (the final evaluation; its presence means done)
 *   report.md, table.csv, report.html, summary.json, charts/   the report, regenerated from the runs
 * </pre>
 * An existing folder is only reused for the same experiment, version and scale, so results never mix.
 */
public final class ExperimentDirectory {
    public static final String MANIFEST = "experiment.json";
    public static final String RUNS = "runs";
    public static final String PLAN = "plan.json";
    public static final String RESULT = "result.json";
    public static final String LOG = "train.log";
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    public final Path dir;

    private ExperimentDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens (or prepares) the folder for an experiment; a folder that holds another experiment, another version or
     * scale of it, or files that are not an experiment's is refused.
     */
    public static ExperimentDirectory open(Path dir, Experiment e, Scale scale) throws UsageException {
        if (Files.isRegularFile(dir)) {
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
        try {
            Files.createDirectories(dir.resolve(RUNS));
        } catch (IOException ex) {
            throw new UsageException("cannot write to " + dir + " (" + ex.getMessage() + "): choose a writable --out");
        }
        return new ExperimentDirectory(dir);
    }

    public Path runDir(String id) {
        return dir.resolve(RUNS).resolve(id);
    }

    public boolean finished(String id) {
        return Files.isRegularFile(runDir(id).resolve(RESULT));
    }

    /**
     * Refuses a plan whose folder holds a run that was started with other settings (a changed definition, other
     * --lengths or --steps), before anything is trained.
     */
    public void checkCompatible(RunPlan plan) throws UsageException {
        Path config = runDir(plan.id()).resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return;
        }
        List<String> stored = new ArrayList<>();
        JsonObject c = readObject(config);
        JsonElement args = c.get("args");
        if (args == null || !args.isJsonArray()) {
            throw new UsageException(config + " has no args: remove " + runDir(plan.id()) + " or choose another --out");
        }
        args.getAsJsonArray().forEach(a -> stored.add(a.getAsString()));
        if (!withoutPlacement(stored).equals(withoutPlacement(plan.trainArgs()))) {
            throw new UsageException(runDir(plan.id()) + " was started with other settings (" + String.join(" ",
                    withoutPlacement(stored)) + "): use the options it was started with, or another --out");
        }
    }

    /** The flags without where the run computes (which may change between invocations). */
    static List<String> withoutPlacement(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--") && TrainCommand.PLACEMENT_FLAGS.contains(a.substring(2))) {
                i++;
                continue;
            }
            out.add(a);
        }
        return out;
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
        AtomicFile.write(manifest, GSON.toJson(m)); // the folder exists: open() made it
    }

    private static JsonObject readObject(Path file) throws UsageException {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException | RuntimeException ex) {
            throw new UsageException(file + " is unreadable (" + ex.getMessage() + "): remove it or choose another "
                    + "--out");
        }
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

package dev.lengthgen.runner.slurm;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of an experiment's submissions to Slurm (slurm/jobs.json), oldest first: when, the job array and the
 * report job that depends on it, the script, and the runs in array order (array task i runs runs[i]). It is how
 * {@code --status} finds a run's Slurm task and log, and how a new submission sees which runs are still queued.
 */
public final class SubmissionLog {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
    private static final String FIX = "it is lengthgen's record of the Slurm jobs; restore or delete it";

    private SubmissionLog() {
    }

    /**
     * One submission.
     *
     * @param submitted when, as an ISO-8601 instant
     * @param arrayJob  the job array's id
     * @param reportJob the report job's id, or null when it could not be submitted
     * @param script    the array's job script, relative to the experiment folder
     * @param runs      the run of each array task, by index
     */
    public record Submission(String submitted, String arrayJob, String reportJob, String script, List<String> runs) {
        /** The id of the array task that runs {@code run} (ARRAY_INDEX), or null when this submission has none. */
        public String taskOf(String run) {
            int i = runs.indexOf(run);
            return i < 0 ? null : arrayJob + "_" + i;
        }
    }

    /** The submissions recorded in a file; none when it does not exist. */
    public static List<Submission> read(Path file) throws UsageException {
        List<Submission> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        JsonElement list = JsonText.readObject(file, FIX).get("submissions");
        if (list == null || !list.isJsonArray()) {
            throw new UsageException(file + " has no submissions list: " + FIX);
        }
        try {
            for (JsonElement e : list.getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                List<String> runs = new ArrayList<>();
                o.getAsJsonArray("runs").forEach(r -> runs.add(r.getAsString()));
                JsonElement report = o.get("report_job");
                out.add(new Submission(o.get("submitted").getAsString(), o.get("array_job").getAsString(),
                        report == null || report.isJsonNull() ? null : report.getAsString(),
                        o.get("script").getAsString(), runs));
            }
        } catch (RuntimeException e) {
            throw new UsageException(file + " holds a submission without its fields (submitted, array_job, script, "
                    + "runs): " + FIX);
        }
        return out;
    }

    /** Adds a submission to the file (written whole through a temporary file). */
    public static void append(Path file, Submission s) throws IOException, UsageException {
        JsonArray list = new JsonArray();
        for (Submission old : read(file)) {
            list.add(json(old));
        }
        list.add(json(s));
        JsonObject o = new JsonObject();
        o.add("submissions", list);
        AtomicFile.write(file, GSON.toJson(o) + "\n");
    }

    private static JsonObject json(Submission s) {
        JsonObject o = new JsonObject();
        o.addProperty("submitted", s.submitted());
        o.addProperty("array_job", s.arrayJob());
        o.addProperty("report_job", s.reportJob());
        o.addProperty("script", s.script());
        JsonArray runs = new JsonArray();
        s.runs().forEach(runs::add);
        o.add("runs", runs);
        return o;
    }
}

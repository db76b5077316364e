package dev.lengthgen.runner.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of an experiment, loaded from its folder {@code runs/<id>/}: its plan, the model and step count that
 * {@code lengthgen train} recorded in config.json, the metrics logged so far, and the result once it finished.
 *
 * @param plan         null when the run has not been started (no plan.json yet)
 * @param model        "layers L / heads H / dim" as "4L/4H/128", from config.json; null when unknown
 * @param plannedSteps the steps the run was started for, from config.json; null when unknown
 * @param result       null while the run is unfinished
 */
public record RunRecord(String id, RunLabels plan, String model, Integer plannedSteps, List<MetricsPoint> metrics,
                        RunResult result) {
    static final String PLAN = "plan.json";
    static final String CONFIG = "config.json";
    static final String METRICS = "metrics.jsonl";
    static final String RESULT = "result.json";

    public boolean finished() {
        return plan != null && result != null;
    }

    /** The group (model label) the run belongs to; null before it has a plan. */
    public String group() {
        return plan == null ? null : plan.group();
    }

    /** The last step the run reached: the result's, else the last logged step, else null. */
    public Integer lastStep() {
        if (result != null) {
            return result.step();
        }
        return metrics.isEmpty() ? null : metrics.get(metrics.size() - 1).step();
    }

    static RunRecord load(Path folder, String id) throws UsageException {
        String fix = "rerun 'lengthgen reproduce' for that run, or fix the file";
        Path planFile = folder.resolve(PLAN);
        RunLabels plan = Files.isRegularFile(planFile) ? RunLabels.read(JsonFile.read(planFile, fix)) : null;
        String model = null;
        Integer steps = null;
        Path configFile = folder.resolve(CONFIG);
        if (Files.isRegularFile(configFile)) {
            JsonFile config = JsonFile.read(configFile, fix);
            model = modelLabel(config.root().get("model"));
            steps = config.optionalInteger("steps");
        }
        Path resultFile = folder.resolve(RESULT);
        RunResult result = Files.isRegularFile(resultFile) ? RunResult.read(JsonFile.read(resultFile, fix)) : null;
        return new RunRecord(id, plan, model, steps, readMetrics(folder.resolve(METRICS)), result);
    }

    private static String modelLabel(JsonElement model) {
        if (model == null || !model.isJsonObject()) {
            return null;
        }
        JsonObject m = model.getAsJsonObject();
        Double layers = JsonFile.number(m.get("layers"));
        Double heads = JsonFile.number(m.get("heads"));
        Double dim = JsonFile.number(m.get("dim"));
        if (layers == null || heads == null || dim == null) {
            return null;
        }
        return layers.intValue() + "L/" + heads.intValue() + "H/" + dim.intValue();
    }

    /**
     * The metrics log, in step order as written. Lines that do not parse (not JSON, or not UTF-8 text) are skipped: a
     * run killed while writing leaves its last line cut short, a report of a running experiment reads logs that are
     * still growing, and one damaged line should not hide the rest of a run's curve.
     */
    private static List<MetricsPoint> readMetrics(Path file) throws UsageException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8); // bytes that are not UTF-8: U+FFFD
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + " (" + FileWriteException.reason(e) + ")");
        }
        List<MetricsPoint> out = new ArrayList<>();
        text.lines().forEach(line -> {
            if (line.isBlank() || line.indexOf('\uFFFD') >= 0) {
                return;
            }
            try {
                JsonElement e = JsonParser.parseString(line);
                MetricsPoint p = e.isJsonObject() ? MetricsPoint.of(e.getAsJsonObject()) : null;
                if (p != null) {
                    out.add(p);
                }
            } catch (RuntimeException ignored) {
                // a line cut short: see above
            }
        });
        return List.copyOf(out);
    }
}

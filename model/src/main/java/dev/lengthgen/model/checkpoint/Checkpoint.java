package dev.lengthgen.model.checkpoint;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.layout.ParameterLayout;
import dev.lengthgen.model.layout.TensorSpec;
import dev.lengthgen.model.train.Trainer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A lengthgen checkpoint: one safetensors file holding every parameter under its nanoGPT name and shape, and, for
 * resuming, the AdamW moments as two flat tensors "optimizer.adam_m" and "optimizer.adam_v" in parameter-buffer order.
 * The metadata holds "lengthgen.config" (the GptConfig as JSON), "lengthgen.step" (optimizer steps taken) and whatever
 * the caller adds (task, format, seed, ...). Everything is validated against the config before anything is allocated.
 *
 * <p>An open checkpoint holds its file open, and every tensor is read through that one open file: a checkpoint that
 * a live run replaces (write to a temporary file, then rename) while it is being read is read whole, as it was when
 * opened, never half old and half new. Close it when done.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String FORMAT = "lengthgen-checkpoint-1";
    public static final String ADAM_M = "optimizer.adam_m";
    public static final String ADAM_V = "optimizer.adam_v";
    public static final String FORMAT_KEY = "lengthgen.format";
    public static final String CONFIG_KEY = "lengthgen.config";
    public static final String STEP_KEY = "lengthgen.step";
    private static final Pattern WHOLE_NUMBER = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final Gson GSON = new Gson();

    private final FileChannel channel;
    private final Safetensors.Header header;
    private final GptConfig config;
    private final ParameterLayout layout;
    private final int step;

    private Checkpoint(FileChannel channel, Safetensors.Header header, GptConfig config, ParameterLayout layout,
                       int step) {
        this.channel = channel;
        this.header = header;
        this.config = config;
        this.layout = layout;
        this.step = step;
    }

    /** Saves the model (and the optimizer state when trainer is not null) atomically. */
    public static void save(Path path, GptModel model, Trainer trainer, Map<String, String> extraMetadata)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(CONFIG_KEY, GSON.toJson(model.config));
        meta.put(STEP_KEY, Integer.toString(trainer == null ? 0 : trainer.stepsTaken()));
        float[] params = model.downloadParameters();
        List<Safetensors.Tensor> tensors = new ArrayList<>();
        for (TensorSpec t : model.layout.tensors()) {
            tensors.add(new Safetensors.Tensor(t.name(), t.shape(), params, (int) t.offset()));
        }
        if (trainer != null) {
            int n = Math.toIntExact(model.layout.total());
            float[] m = new float[n], v = new float[n];
            model.backend.download(trainer.m.view(), m);
            model.backend.download(trainer.v.view(), v);
            tensors.add(new Safetensors.Tensor(ADAM_M, new int[]{n}, m, 0));
            tensors.add(new Safetensors.Tensor(ADAM_V, new int[]{n}, v, 0));
        }
        Safetensors.write(path, meta, tensors);
    }

    /**
     * Opens and validates a checkpoint: header, config, step, and every tensor's shape against the config. The file
     * stays open until {@link #close}.
     */
    public static Checkpoint open(Path path) throws CheckpointException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + path + " (" + e.getClass().getSimpleName() + ")",
                    e);
        }
        try {
            Checkpoint c = validated(ch, path);
            ch = null; // the checkpoint owns it now
            return c;
        } finally {
            if (ch != null) {
                closeQuietly(ch);
            }
        }
    }

    private static Checkpoint validated(FileChannel ch, Path path) throws CheckpointException {
        Safetensors.Header h = Safetensors.readHeader(ch, path);
        String format = h.metadata().get(FORMAT_KEY);
        String cfg = h.metadata().get(CONFIG_KEY);
        if (!FORMAT.equals(format) || cfg == null) {
            throw new CheckpointException(path + " is a safetensors file but not a lengthgen checkpoint (no "
                    + FORMAT_KEY + "/" + CONFIG_KEY + " metadata)");
        }
        GptConfig config = config(path, cfg);
        ParameterLayout layout;
        try {
            layout = new ParameterLayout(config);
        } catch (RuntimeException e) {
            throw new CheckpointException(path + " has an invalid model config in its metadata (" + CONFIG_KEY
                    + "): its tensors cannot be laid out");
        }
        String stepText = h.metadata().get(STEP_KEY);
        if (stepText == null || !WHOLE_NUMBER.matcher(stepText).matches()
                || Long.parseLong(stepText) > Integer.MAX_VALUE) {
            throw new CheckpointException(path + " has an invalid step count in its metadata (" + STEP_KEY + " "
                    + (stepText == null ? "missing" : "'" + stepText + "'") + ", not a whole number of steps): "
                    + "the file is corrupt");
        }
        Checkpoint c = new Checkpoint(ch, h, config, layout, Integer.parseInt(stepText));
        c.validateTensors();
        return c;
    }

    /** The model config of the metadata: a JSON object whose fields have their types, and a valid combination. */
    private static GptConfig config(Path path, String json) throws CheckpointException {
        String invalid = path + " has an invalid model config in its metadata (" + CONFIG_KEY + ": ";
        GptConfig config;
        try {
            JsonElement parsed = JsonParser.parseString(json);
            if (!parsed.isJsonObject()) {
                throw new CheckpointException(invalid + "not a JSON object)");
            }
            config = GSON.fromJson(parsed, GptConfig.class);
        } catch (RuntimeException e) {
            throw new CheckpointException(invalid + firstLine(e) + ")");
        }
        if (!sameValues(JsonParser.parseString(json), GSON.toJsonTree(config))) {
            // Gson maps 4294967297 to the int 1 and 4.5 to 4: the stored values must be the config's own.
            throw new CheckpointException(invalid + "a field that is not a value of its type)");
        }
        try {
            return config.validate(0);
        } catch (RuntimeException e) {
            throw new CheckpointException(invalid + firstLine(e) + ")");
        }
    }

    /** Whether every value written in {@code stored} is the one {@code read} holds (numbers compared exactly). */
    private static boolean sameValues(JsonElement stored, JsonElement read) {
        if (stored.isJsonObject() && read.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : stored.getAsJsonObject().entrySet()) {
                JsonElement r = read.getAsJsonObject().get(e.getKey());
                if (r == null || !sameValues(e.getValue(), r)) {
                    return false;
                }
            }
            return true;
        }
        if (stored.isJsonPrimitive() && read.isJsonPrimitive()) {
            JsonPrimitive a = stored.getAsJsonPrimitive(), b = read.getAsJsonPrimitive();
            if (a.isNumber() && b.isNumber()) {
                try {
                    return new BigDecimal(a.getAsString()).compareTo(new BigDecimal(b.getAsString())) == 0;
                } catch (NumberFormatException notFinite) {
                    return false;
                }
            }
            return a.equals(b);
        }
        return false;
    }

    /** The first line of an exception's message, without Gson's pointers to its troubleshooting guide. */
    private static String firstLine(RuntimeException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String line = m.lines().findFirst().orElse(m);
        int see = line.indexOf("See https://");
        line = see >= 0 ? line.substring(0, see).strip() : line;
        return line.replaceFirst("^[a-z.]+\\.[A-Za-z]+(Exception|Error): ", "");
    }

    private void validateTensors() throws CheckpointException {
        for (TensorSpec t : layout.tensors()) {
            Safetensors.Entry e = header.entries().get(t.name());
            if (e == null) {
                throw new CheckpointException(header.path() + " lacks tensor " + t.name()
                        + " that its config requires");
            }
            if (!Arrays.equals(e.shape(), t.shape())) {
                throw new CheckpointException(header.path() + ": tensor " + t.name() + " has shape "
                        + Arrays.toString(e.shape()) + " but the config needs " + Arrays.toString(t.shape()));
            }
        }
        for (String name : List.of(ADAM_M, ADAM_V)) {
            Safetensors.Entry e = header.entries().get(name);
            if (e != null && e.elements() != layout.total()) {
                throw new CheckpointException(header.path() + ": " + name + " has " + e.elements()
                        + " values but the model has " + layout.total() + " parameters");
            }
        }
    }

    public GptConfig config() {
        return config;
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The optimizer steps taken when it was saved (validated: a whole number, 0 or more). */
    public int step() {
        return step;
    }

    public boolean hasOptimizerState() {
        return header.entries().containsKey(ADAM_M) && header.entries().containsKey(ADAM_V);
    }

    /** Uploads the parameters into a model built from {@link #config()}. */
    public void loadParameters(GptModel model) throws CheckpointException {
        if (!model.config.position().equals(config.position())) {
            // Weights trained under one position scheme mean nothing under another, even where the shapes agree.
            throw new CheckpointException(header.path() + " was trained with position scheme "
                    + config.position().describe() + " but the model uses " + model.config.position().describe()
                    + ": build the model from the checkpoint's config (position scheme "
                    + config.position().scheme().cliName() + ")");
        }
        if (!model.config.equals(config)) {
            throw new CheckpointException(header.path() + " holds a model " + config + " but the target is "
                    + model.config);
        }
        float[] host = new float[Math.toIntExact(layout.total())];
        for (TensorSpec t : layout.tensors()) {
            Safetensors.read(channel, header, t.name(), host, (int) t.offset());
        }
        model.backend.upload(model.params.view(), host);
    }

    /** Uploads the AdamW moments and step count into a trainer of the same model, for an exact resume. */
    public void loadOptimizer(Trainer trainer) throws CheckpointException {
        if (!hasOptimizerState()) {
            throw new CheckpointException(header.path() + " has no optimizer state to resume from");
        }
        int n = Math.toIntExact(layout.total());
        float[] buf = new float[n];
        Safetensors.read(channel, header, ADAM_M, buf, 0);
        trainer.model.backend.upload(trainer.m.view(), buf);
        Safetensors.read(channel, header, ADAM_V, buf, 0);
        trainer.model.backend.upload(trainer.v.view(), buf);
        trainer.setStepsTaken(step);
    }

    /** Closes the file; the checkpoint's tensors can no longer be read. */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // a read-only file: nothing is lost
        }
    }
}

package dev.lengthgen.model.checkpoint;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.layout.ParameterLayout;
import dev.lengthgen.model.layout.TensorSpec;
import dev.lengthgen.model.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lengthgen checkpoint: one safetensors file holding every parameter under its nanoGPT name and shape, and, for
 * resuming, the AdamW moments as two flat tensors "optimizer.adam_m" and "optimizer.adam_v" in parameter-buffer order.
 * The metadata holds "lengthgen.config" (the GptConfig as JSON), "lengthgen.step" (optimizer steps taken) and whatever
 * the caller adds (task, format, seed, ...). Everything is validated against the config before anything is allocated.
 */
public final class Checkpoint {
    public static final String FORMAT = "lengthgen-checkpoint-1";
    public static final String ADAM_M = "optimizer.adam_m";
    public static final String ADAM_V = "optimizer.adam_v";
    private static final Gson GSON = new Gson();

    private final Safetensors.Header header;
    private final GptConfig config;
    private final ParameterLayout layout;

    private Checkpoint(Safetensors.Header header, GptConfig config) {
        this.header = header;
        this.config = config;
        this.layout = new ParameterLayout(config);
    }

    /** Saves the model (and the optimizer state when trainer is not null) atomically. */
    public static void save(Path path, GptModel model, Trainer trainer, Map<String, String> extraMetadata)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
        meta.put("lengthgen.format", FORMAT);
        meta.put("lengthgen.config", GSON.toJson(model.config));
        meta.put("lengthgen.step", Integer.toString(trainer == null ? 0 : trainer.stepsTaken()));
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

    /** Opens and validates a checkpoint: header, config, and every tensor's shape against the config. */
    public static Checkpoint open(Path path) throws CheckpointException {
        Safetensors.Header h = Safetensors.readHeader(path);
        String format = h.metadata().get("lengthgen.format");
        String cfg = h.metadata().get("lengthgen.config");
        if (!FORMAT.equals(format) || cfg == null) {
            throw new CheckpointException(path + " is a safetensors file but not a lengthgen checkpoint (no "
                    + "lengthgen.format/lengthgen.config metadata)");
        }
        GptConfig config;
        try {
            config = GSON.fromJson(cfg, GptConfig.class);
            config.validate(0);
        } catch (JsonParseException | IllegalArgumentException | NullPointerException e) {
            throw new CheckpointException(path + " has an invalid model config in its metadata: " + e.getMessage());
        }
        Checkpoint c = new Checkpoint(h, config);
        c.validate();
        return c;
    }

    private void validate() throws CheckpointException {
        for (TensorSpec t : layout.tensors()) {
            Safetensors.Entry e = header.entries().get(t.name());
            if (e == null) {
                throw new CheckpointException(header.path() + " lacks tensor " + t.name() + " that its config requires");
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

    public int step() {
        try {
            return Integer.parseInt(header.metadata().getOrDefault("lengthgen.step", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
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
                    + ": build the model from the checkpoint's config (--pos " + config.position().scheme().cliName()
                    + ")");
        }
        if (!model.config.equals(config)) {
            throw new CheckpointException(header.path() + " holds a model " + config + " but the target is " + model.config);
        }
        float[] host = new float[Math.toIntExact(layout.total())];
        for (TensorSpec t : layout.tensors()) {
            Safetensors.read(header, t.name(), host, (int) t.offset());
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
        Safetensors.read(header, ADAM_M, buf, 0);
        trainer.model.backend.upload(trainer.m.view(), buf);
        Safetensors.read(header, ADAM_V, buf, 0);
        trainer.model.backend.upload(trainer.v.view(), buf);
        trainer.setStepsTaken(step());
    }
}

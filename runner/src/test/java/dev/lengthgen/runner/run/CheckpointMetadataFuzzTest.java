package dev.lengthgen.runner.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.lengthgen.runner.CliRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fuzzer of a checkpoint's metadata: every field of {@code __metadata__} (format, model config, step, run
 * description, best score) replaced by values of the wrong type, out of range, malformed, or in conflict with the
 * run's config.json. Resuming from such a checkpoint and evaluating it must each give one line, exit code 2, and leave
 * the run folder exactly as it was (the lock file aside, which holds the pid of its last holder).
 */
class CheckpointMetadataFuzzTest {
    @TempDir
    static Path tmp;
    private static Path run;
    private static JsonObject metadata;

    /** One way to break a field: its new value (a JSON element, not only strings), or null to remove it. */
    private record Mutation(String key, JsonElement value, String what) {
    }

    @BeforeAll
    static void finishedRun() throws IOException {
        run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--task", "add", "--train-digits", "1-2", "--test-digits", "1-3", "--width", "3",
                "--layers", "1", "--heads", "2", "--dim", "16", "--batch", "8", "--steps", "20", "--eval-every", "10",
                "--eval-samples", "10", "--backend", "reference", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        metadata = CheckpointHeaders.read(run.resolve(RunFolder.LATEST)).getAsJsonObject("__metadata__");
    }

    private static List<Mutation> mutations() {
        List<Mutation> m = new ArrayList<>();
        List<JsonElement> wrongTypes = List.of(new JsonPrimitive(7), new JsonPrimitive(1.5), new JsonPrimitive(true),
                JsonNull.INSTANCE, new JsonObject(), new JsonArray());
        for (String key : metadata.keySet()) {
            for (JsonElement v : wrongTypes) {
                m.add(new Mutation(key, v, "a " + v.getClass().getSimpleName() + " instead of a string"));
            }
            m.add(new Mutation(key, null, "removed"));
            for (String s : List.of("", "abc", "{", "\u00ff\ufffd")) {
                m.add(new Mutation(key, new JsonPrimitive(s), "'" + s + "'"));
            }
        }
        text(m, "lengthgen.format", "lengthgen-checkpoint-2", "safetensors");
        JsonObject config = JsonParser.parseString(metadata.get("lengthgen.config").getAsString()).getAsJsonObject();
        text(m, "lengthgen.config", "[]", "{}", "null", "{\"layers\":1}",
                with(config, "layers", new JsonPrimitive("abc")), with(config, "layers", new JsonPrimitive(4.5)),
                with(config, "layers", new JsonPrimitive(-1)), with(config, "layers", new JsonPrimitive(4294967297L)),
                with(config, "dim", new JsonPrimitive(32)), with(config, "heads", new JsonPrimitive(3)),
                with(config, "context", new JsonPrimitive(2)), with(config, "dropout", new JsonPrimitive(1.5)),
                with(config, "vocab", new JsonPrimitive(17)), with(config, "tiedEmbeddings", new JsonPrimitive(false)),
                with(config, "position", JsonParser.parseString("{\"scheme\":\"bogus\"}")),
                with(config, "position", JsonParser.parseString("{\"scheme\":\"ROPE\"}")));
        text(m, "lengthgen.step", "-5", "99999999999", "1.5", "+20", "020", " 20", "20 ", "2147483648", "21",
                "1e1", "0x14", "NaN", "٢٠");
        JsonObject description = JsonParser.parseString(metadata.get("lengthgen.run").getAsString())
                .getAsJsonObject();
        text(m, "lengthgen.run", "[]", "{}", "{\"args\":\"x\"}", "{\"args\":[1,2]}", "{\"args\":null}",
                withArg(description, "--task", "mul"), withArg(description, "--dim", "32"),
                withArg(description, "--steps", "10"), withArg(description, "--seed", "1"),
                withArg(description, "--train-digits", "9"), withArg(description, "--bogus", "1"),
                with(description, "task", new JsonPrimitive("mul")),
                with(description, "seed", new JsonPrimitive(1)),
                with(description, "train_digits", new JsonPrimitive("1-3")));
        text(m, "lengthgen.best.step", "0", "21", "-1", "10.0", "1e1");
        text(m, "lengthgen.best.exact", "1.5", "-0.1", "NaN", "Infinity", "1", "0.5x");
        text(m, "lengthgen.best.val_loss", "-1.0", "NaN", "1e400", "x");
        return m;
    }

    private static void text(List<Mutation> m, String key, String... values) {
        for (String v : values) {
            m.add(new Mutation(key, new JsonPrimitive(v), "'" + v + "'"));
        }
    }

    private static String with(JsonObject o, String field, JsonElement value) {
        JsonObject copy = o.deepCopy();
        copy.add(field, value);
        return copy.toString();
    }

    /** The run description with one flag of its args set to another value (or added). */
    private static String withArg(JsonObject description, String flag, String value) {
        JsonObject copy = description.deepCopy();
        JsonArray args = copy.getAsJsonArray("args");
        JsonArray out = new JsonArray();
        boolean set = false;
        for (int i = 0; i < args.size(); i++) {
            out.add(args.get(i));
            if (args.get(i).getAsString().equals(flag)) {
                out.add(value);
                i++;
                set = true;
            }
        }
        if (!set) {
            out.add(flag);
            out.add(value);
        }
        copy.add("args", out);
        return copy.toString();
    }

    private static Path copyOfRun(Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }

    @Test
    void everyBrokenMetadataFieldIsRefusedInOneLineAndChangesNothing() throws IOException {
        List<Mutation> all = mutations();
        int commands = 0;
        for (int i = 0; i < all.size(); i++) {
            Mutation mu = all.get(i);
            Path dir = copyOfRun(tmp.resolve("m" + i));
            Path latest = dir.resolve(RunFolder.LATEST);
            CheckpointHeaders.edit(latest, h -> {
                JsonObject meta = h.getAsJsonObject("__metadata__");
                if (mu.value() == null) {
                    meta.remove(mu.key());
                } else {
                    meta.add(mu.key(), mu.value());
                }
            });
            Map<String, byte[]> before = RunFiles.snapshot(dir);
            String what = mu.key() + " " + mu.what();
            for (String[] args : List.of(
                    new String[]{"train", "--resume", dir.toString(), "--steps", "30"},
                    new String[]{"eval", "--run", dir.toString(), "--which", "latest", "--count", "5", "--backend",
                            "reference"})) {
                CliRun r = CliRun.of(args);
                assertEquals(2, r.code(), what + ": " + args[0] + " exit code; " + r.err() + r.out());
                String err = r.err().strip();
                assertFalse(err.contains("\n"), what + ": one line: " + err);
                assertTrue(err.startsWith("lengthgen " + args[0] + ": "), what + ": " + err);
                assertFalse(err.contains("Exception") || err.contains("https://"), what + ": our words: " + err);
                RunFiles.assertUnchanged(before, dir, what + " (" + args[0] + ")");
                commands++;
            }
        }
        System.out.printf("checkpoint metadata fuzzer: %d broken checkpoints, %d refused commands%n", all.size(),
                commands);
        assertTrue(all.size() >= 100, "inputs tried: " + all.size());
    }
}

package dev.lengthgen.runner.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.TrainArgs;
import dev.lengthgen.runner.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `lengthgen train` and `lengthgen eval` as a user runs them, on a model small enough to train in seconds. */
class TrainEvalCommandsTest {
    private static final String[] TINY = {"--task", "add", "--width", "3", "--train-digits", "1-2", "--test-digits",
            "1-3", "--layers", "1", "--heads", "2", "--dim", "16", "--dropout", "0.1", "--batch", "8",
            "--eval-every", "10", "--log-every", "5", "--eval-samples", "20", "--backend", "reference"};

    @TempDir
    Path tmp;

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(base));
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    /** train with the tiny settings; flag/value pairs in {@code more} replace the tiny ones or are added. */
    private static String[] train(Path out, int steps, String... more) {
        List<String> base = new ArrayList<>(Arrays.asList(TINY));
        base.addAll(List.of("--steps", Integer.toString(steps), "--out", out.toString()));
        return TrainArgs.train(base, more);
    }

    private static List<JsonObject> metrics(Path run) throws IOException {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(RunFolder.METRICS))) {
            out.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return out;
    }

    @Test
    void trainWritesARunFolderAndRefusesToOverwriteIt() throws IOException {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(train(run, 20));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("backend: reference"), r.out());
        for (String f : List.of(RunFolder.CONFIG, RunFolder.METRICS, RunFolder.LATEST, RunFolder.BEST)) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        List<JsonObject> m = metrics(run);
        assertEquals(List.of(5, 10, 15, 20), m.stream().map(o -> o.get("step").getAsInt()).toList());
        assertTrue(m.get(0).has("loss") && !m.get(0).has("val_loss"));
        JsonObject evalStep = m.get(1);
        assertTrue(evalStep.has("val_loss") && evalStep.has("exact") && evalStep.getAsJsonObject("acc").has("3"),
                evalStep.toString());

        byte[] before = Files.readAllBytes(run.resolve(RunFolder.METRICS));
        CliRun.assertUsage("pass --force", train(run, 20));
        assertArrayEquals(before, Files.readAllBytes(run.resolve(RunFolder.METRICS)), "nothing overwritten");
        assertEquals(0, CliRun.of(train(run, 10, "--force")).code());
        assertEquals(2, metrics(run).size());
    }

    @Test
    void resumeContinuesBitForBitAndLogsEachStepOnce() throws IOException {
        Path straight = tmp.resolve("straight");
        Path resumed = tmp.resolve("resumed");
        assertEquals(0, CliRun.of(train(straight, 30)).code());
        assertEquals(0, CliRun.of(train(resumed, 20)).code());
        CliRun r = CliRun.of("train", "--resume", resumed.toString(), "--steps", "30");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resuming " + resumed + " at step 20"), r.out());

        assertEquals(metrics(straight).stream().map(o -> o.get("loss").getAsFloat()).toList(),
                metrics(resumed).stream().map(o -> o.get("loss").getAsFloat()).toList());
        float[] a = load(straight.resolve(RunFolder.LATEST)), b = load(resumed.resolve(RunFolder.LATEST));
        assertArrayEquals(a, b, "parameters after 30 steps, straight vs resumed at 20");
    }

    private static float[] load(Path file) throws IOException {
        Checkpoint ck = Checkpoint.open(file);
        GptModel m = new GptModel(ck.config(), new ReferenceBackend());
        ck.loadParameters(m);
        return m.downloadParameters();
    }

    @Test
    void evalPrintsTheAccuracyTableAndWritesCsvAndJson() throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(train(run, 10)).code());
        CliRun r = CliRun.of("eval", "--run", run.toString(), "--test-digits", "1-3", "--count", "30", "--json",
                "--backend", "reference");
        assertEquals(0, r.code(), r.err());
        JsonArray lengths = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("lengths");
        assertEquals(3, lengths.size());
        JsonObject three = lengths.get(2).getAsJsonObject();
        for (String key : List.of("digits", "label", "count", "exact", "fhat", "per_place", "predicted")) {
            assertTrue(three.has(key), key + " in " + three);
        }
        assertEquals("outward", three.get("label").getAsString());
        assertEquals(30, three.get("count").getAsInt());
        assertTrue(Files.isRegularFile(run.resolve("eval.csv")) && Files.isRegularFile(run.resolve("eval.json")));
        assertTrue(Files.readString(run.resolve("eval.csv"))
                .startsWith("digits,label,count,exact,fhat,predicted,place1"));

        CliRun table = CliRun.of("eval", "--run", run.toString(), "--count", "10", "--backend", "reference");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("outward"), table.out());
        assertFalse(three.has("mistakes"), "listed only when asked for");
    }

    @Test
    void evalListsTheFirstWrongAnswersPerLength() throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(train(run, 10)).code());
        CliRun r = CliRun.of("eval", "--run", run.toString(), "--test-digits", "3", "--count", "30", "--mistakes", "4",
                "--json", "--backend", "reference");
        assertEquals(0, r.code(), r.err());
        JsonObject three = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("lengths").get(0)
                .getAsJsonObject();
        long wrong = Math.round((1 - three.get("exact").getAsDouble()) * 30);
        JsonArray mistakes = three.getAsJsonArray("mistakes");
        assertEquals(Math.min(4, wrong), mistakes.size(), three.toString());
        for (JsonElement e : mistakes) {
            JsonObject m = e.getAsJsonObject();
            // addition's answer is written reversed: read back, it is the sum
            String expected = m.get("expected").getAsString();
            assertEquals(m.get("a").getAsLong() + m.get("b").getAsLong(),
                    Long.parseLong(new StringBuilder(expected).reverse().toString()), m.toString());
            assertNotEquals(expected, m.get("answered").getAsString(), m.toString());
            assertTrue(m.get("text").getAsString().contains("=" + expected + ";"), m.toString());
        }
        CliRun table = CliRun.of("eval", "--run", run.toString(), "--test-digits", "3", "--count", "30",
                "--mistakes", "2", "--backend", "reference");
        assertEquals(0, table.code(), table.err());
        assertEquals(Math.min(2, wrong), table.out().lines().filter(l -> l.contains(" answered ")).count(),
                table.out());
        CliRun.assertUsage("--mistakes", "eval", "--run", run.toString(), "--mistakes", "-1");
    }

    @Test
    void theTheoryPredictsOnlyForAbsolutePositions() throws IOException {
        for (String pos : List.of("ape", "sinusoidal", "coupling", "rope")) {
            Path run = tmp.resolve(pos);
            assertEquals(0, CliRun.of(train(run, 5, "--pos", pos)).code(), pos);
            CliRun r = CliRun.of("eval", "--run", run.toString(), "--test-digits", "3", "--count", "10", "--json",
                    "--backend", "reference");
            assertEquals(0, r.code(), r.err());
            JsonObject three = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("lengths").get(0)
                    .getAsJsonObject();
            boolean absolute = pos.equals("ape") || pos.equals("sinusoidal");
            // Addition trained on 1-2 digits: the truncated sum is never right at 3 digits.
            assertEquals(absolute ? "0.0" : "null", three.get("predicted").toString(), pos);
        }
    }

    @Test
    void badInputIsOneLineExitTwoAndWritesNothing() throws IOException {
        Path run = tmp.resolve("never");
        CliRun.assertUsage("not divisible", train(run, 5, "--dim", "15"));
        CliRun.assertUsage("unknown --backend", train(run, 5, "--backend", "gpu"));
        CliRun.assertUsage("--steps must be between", train(run, 5, "--steps", "0"));
        CliRun.assertUsage("--lr needs a number", train(run, 5, "--lr", "fast"));
        CliRun.assertUsage("unknown --lr-schedule", train(run, 5, "--lr-schedule", "linear"));
        CliRun.assertUsage("raise --context", train(run, 5, "--context", "4"));
        CliRun.assertUsage("unknown preset", train(run, 5, "--preset", "huge"));
        CliRun.assertUsage("--out DIR is required", with(new String[]{"train"}, TINY));
        assertTrue(!Files.exists(run), "nothing was created");

        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        CliRun.assertUsage("is a file", train(file, 5));
        CliRun.assertUsage("has no config.json", "train", "--resume", tmp.resolve("missing").toString());
        CliRun.assertUsage("give exactly one of", "eval");
        CliRun.assertUsage("has no config.json", "eval", "--run", tmp.resolve("missing").toString());

        Path good = tmp.resolve("good");
        assertEquals(0, CliRun.of(train(good, 5)).code());
        byte[] bytes = Files.readAllBytes(good.resolve(RunFolder.LATEST));
        Path broken = tmp.resolve("broken.safetensors");
        Files.write(broken, Arrays.copyOf(bytes, bytes.length / 2));
        CliRun.assertUsage("truncated", "eval", "--checkpoint", broken.toString());
    }
}

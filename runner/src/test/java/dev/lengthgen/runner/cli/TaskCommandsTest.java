package dev.lengthgen.runner.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data and theory commands as a user runs them: exit codes, messages, output. */
class TaskCommandsTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUsage(String expected, String... args) {
        Result r = run(args);
        assertEquals(2, r.code(), "exit code of " + String.join(" ", args) + ": " + r.err());
        assertEquals("", r.out(), "nothing on standard output");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("lengthgen " + args[0] + ": "), err);
        assertTrue(err.contains(expected), "'" + err + "' should mention '" + expected + "'");
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        for (String cmd : new String[]{"data", "theory"}) {
            assertUsage("unknown task 'sub'", cmd, "--task", "sub", "--train-digits", "4");
            assertUsage("--base must be between 2 and 16", cmd, "--base", "17", "--train-digits", "4");
            assertUsage("--base must be between 2 and 16", cmd, "--base", "1", "--train-digits", "4");
            assertUsage("mod-add needs --modulus", cmd, "--task", "mod-add", "--train-digits", "4");
            assertUsage("--modulus must be at least 2", cmd, "--task", "mod-mul", "--modulus", "1",
                    "--train-digits", "4");
            assertUsage("--modulus applies only to", cmd, "--modulus", "7", "--train-digits", "4");
            assertUsage("raise --width", cmd, "--train-digits", "25");
            assertUsage("raise --width", cmd, "--width", "6", "--train-digits", "4", "--test-digits", "1-9");
            assertUsage("bad digit spec", cmd, "--train-digits", "4-");
            assertUsage("bad digit spec", cmd, "--train-digits", "4:0.5,5");
            assertUsage("--answer-width 21 is too small", cmd, "--task", "mul", "--answer-width", "21",
                    "--train-digits", "11");
            assertUsage("--seed needs a whole number", cmd, "--seed", "x", "--train-digits", "4");
            assertUsage("--operator", cmd, "--operator", "=", "--train-digits", "4");
            assertUsage("--help", cmd, "--no-such-flag");
        }
        assertUsage("--train-digits is required", "theory", "--task", "add");
        assertUsage("only 100", "data", "--train-digits", "1", "--train-size", "500");
        assertUsage("--split must be train or test", "data", "--split", "dev");
    }

    @Test
    void unwritableOutputWritesNothing(@TempDir Path dir) throws Exception {
        assertUsage("does not exist", "data", "--out", dir.resolve("missing/sub/x.txt").toString());
        Path existing = Files.writeString(dir.resolve("keep.txt"), "earlier results");
        assertUsage("already exists", "data", "--out", existing.toString());
        assertEquals("earlier results", Files.readString(existing));
        Result ok = run("data", "--out", dir.toString(), "--count", "3");
        assertEquals(0, ok.code(), ok.err());
        String written = Files.readString(dir.resolve("data-train.txt"));
        assertEquals(3, written.lines().filter(l -> l.startsWith("<bos>")).count());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void helpOnEveryCommand() {
        for (String cmd : new String[]{"data", "theory"}) {
            Result r = run(cmd, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().contains("--train-digits"), r.out());
            assertTrue(r.out().contains("--modulus"), r.out());
        }
    }

    @Test
    void theoryJsonHasOneItemPerLength() {
        Result r = run("theory", "--task", "mod-add", "--modulus", "101", "--train-digits", "4", "--test-digits",
                "4-9", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonArray lengths = root.getAsJsonArray("lengths");
        assertEquals(6, lengths.size());
        String[] labels = {"id", "outward", "outward", "outward", "outward", "outward"};
        for (int i = 0; i < 6; i++) {
            JsonObject item = lengths.get(i).getAsJsonObject();
            assertEquals(4 + i, item.get("digits").getAsInt());
            assertEquals(labels[i], item.get("label").getAsString());
            double p = item.get("predicted").getAsDouble();
            assertTrue(p >= 0 && p <= 1);
            assertEquals("exact", item.get("method").getAsString());
        }
        assertEquals(0.0, lengths.get(1).getAsJsonObject().get("predicted").getAsDouble(), 0.0);
        assertEquals(82.0 / 8100, lengths.get(2).getAsJsonObject().get("predicted").getAsDouble(), 1e-12);
        assertEquals(5, root.get("lastZeroLength").getAsInt());
        Result table = run("theory", "--task", "mod-add", "--modulus", "101", "--train-digits", "4",
                "--test-digits", "4-9");
        assertEquals(0, table.code());
        assertTrue(table.out().contains("outward    0.010123  exact"), table.out());
    }

    @Test
    void dataShowsTheSequencesAndIds() {
        Result r = run("data", "--width", "4", "--train-digits", "3", "--count", "2", "--ids", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonArray examples = root.getAsJsonArray("examples");
        assertEquals(2, examples.size());
        JsonObject e = examples.get(0).getAsJsonObject();
        assertEquals(4 + 1 + 4 + 1 + 5 + 1, e.get("text").getAsString().length());
        assertEquals(4 + 1 + 4 + 1 + 5 + 1 + 2, e.getAsJsonArray("tokens").size());
        Result test = run("data", "--split", "test", "--train-digits", "2", "--train-size", "1000", "--test-digits",
                "1-3", "--count", "4");
        assertEquals(0, test.code(), test.err());
        assertTrue(test.out().contains("D~_1 (inward)"), test.out());
        assertTrue(test.out().contains("D~_3 (outward)"), test.out());
        assertEquals(12, test.out().lines().filter(l -> l.startsWith("<bos>")).count());
    }
}

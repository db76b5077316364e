package dev.lengthgen.runner.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data and theory commands as a user runs them: exit codes, messages, output. */
class TaskCommandsTest {

    @Test
    void badInputIsOneLineAndExitCode2() {
        for (String cmd : new String[]{"data", "theory"}) {
            CliRun.assertUsage("unknown task 'sub'", cmd, "--task", "sub", "--train-digits", "4");
            CliRun.assertUsage("--base must be between 2 and 16", cmd, "--base", "17", "--train-digits", "4");
            CliRun.assertUsage("--base must be between 2 and 16", cmd, "--base", "1", "--train-digits", "4");
            CliRun.assertUsage("mod-add needs --modulus", cmd, "--task", "mod-add", "--train-digits", "4");
            CliRun.assertUsage("--modulus must be at least 2", cmd, "--task", "mod-mul", "--modulus", "1",
                    "--train-digits", "4");
            CliRun.assertUsage("--modulus applies only to", cmd, "--modulus", "7", "--train-digits", "4");
            CliRun.assertUsage("raise --width", cmd, "--train-digits", "25");
            CliRun.assertUsage("raise --width", cmd, "--width", "6", "--train-digits", "4", "--test-digits", "1-9");
            CliRun.assertUsage("bad digit spec", cmd, "--train-digits", "4-");
            CliRun.assertUsage("bad digit spec", cmd, "--train-digits", "4:0.5,5");
            CliRun.assertUsage("--answer-width 21 is too small", cmd, "--task", "mul", "--answer-width", "21",
                    "--train-digits", "11");
            CliRun.assertUsage("--seed needs a whole number", cmd, "--seed", "x", "--train-digits", "4");
            CliRun.assertUsage("--operator", cmd, "--operator", "=", "--train-digits", "4");
            CliRun.assertUsage("--help", cmd, "--no-such-flag");
        }
        CliRun.assertUsage("--train-digits is required", "theory", "--task", "add");
        CliRun.assertUsage("only 100", "data", "--train-digits", "1", "--train-size", "500");
        CliRun.assertUsage("--split must be train or test", "data", "--split", "dev");
    }

    @Test
    void unwritableOutputWritesNothing(@TempDir Path dir) throws Exception {
        CliRun.assertUsage("does not exist", "data", "--out", dir.resolve("missing/sub/x.txt").toString());
        Path existing = Files.writeString(dir.resolve("keep.txt"), "earlier results");
        CliRun.assertUsage("already exists", "data", "--out", existing.toString());
        assertEquals("earlier results", Files.readString(existing));
        CliRun ok = CliRun.of("data", "--out", dir.toString(), "--count", "3");
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
            CliRun r = CliRun.of(cmd, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().contains("--train-digits"), r.out());
            assertTrue(r.out().contains("--modulus"), r.out());
        }
        // Commands with positional arguments show them in the usage line.
        assertTrue(CliRun.of("report", "--help").out().contains("usage: lengthgen report DIR [flags]"));
        assertTrue(CliRun.of("reproduce", "--help").out().contains("usage: lengthgen reproduce NAME [flags]"));
        assertTrue(CliRun.of("bench", "--help").out().contains("usage: lengthgen bench gemm|step|decode [flags]"));
    }

    @Test
    void theoryJsonHasOneItemPerLength() {
        CliRun r = CliRun.of("theory", "--task", "mod-add", "--modulus", "101", "--train-digits", "4", "--test-digits",
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
        CliRun table = CliRun.of("theory", "--task", "mod-add", "--modulus", "101", "--train-digits", "4",
                "--test-digits", "4-9");
        assertEquals(0, table.code());
        assertTrue(table.out().contains("outward    0.010123  exact"), table.out());
    }

    @Test
    void dataShowsTheSequencesAndIds() {
        CliRun r = CliRun.of("data", "--width", "4", "--train-digits", "3", "--count", "2", "--ids", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonArray examples = root.getAsJsonArray("examples");
        assertEquals(2, examples.size());
        JsonObject e = examples.get(0).getAsJsonObject();
        assertEquals(4 + 1 + 4 + 1 + 5 + 1, e.get("text").getAsString().length());
        assertEquals(4 + 1 + 4 + 1 + 5 + 1 + 2, e.getAsJsonArray("tokens").size());
        CliRun test = CliRun.of("data", "--split", "test", "--train-digits", "2", "--train-size", "1000",
                "--test-digits", "1-3", "--count", "4");
        assertEquals(0, test.code(), test.err());
        assertTrue(test.out().contains("D~_1 (inward)"), test.out());
        assertTrue(test.out().contains("D~_3 (outward)"), test.out());
        assertEquals(12, test.out().lines().filter(l -> l.startsWith("<bos>")).count());
    }
}

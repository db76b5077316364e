package dev.lengthgen.runner.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command's plumbing at tiny sizes: flags, exit codes, the JSON document. No timing is asserted. */
class BenchCommandTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void gemmPrintsOneJsonDocument() {
        Result r = run("bench", "gemm", "--sizes", "8,33", "--samples", "1", "--min-time", "0.005", "--no-peak",
                "--json", "--threads", "2");
        assertEquals(0, r.code(), r.err());
        JsonObject doc = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("gemm", doc.get("benchmark").getAsString());
        assertEquals("cpu", doc.get("backend").getAsString());
        assertEquals(2, doc.getAsJsonArray("gemm").size());
        JsonObject first = doc.getAsJsonArray("gemm").get(0).getAsJsonObject();
        assertEquals(8, first.get("size").getAsInt());
        assertTrue(first.getAsJsonObject("forward").has("median_gflops"), first.toString());
        assertEquals(1, first.getAsJsonObject("backward").getAsJsonArray("samples").size());
    }

    @Test
    void stepTimesTheShapesAnExperimentTrains() {
        Result r = run("bench", "step", "--experiment", "modular-addition", "--steps", "1", "--warmup", "1",
                "--no-peak", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject doc = JsonParser.parseString(r.out()).getAsJsonObject();
        var rows = doc.getAsJsonArray("step");
        // p = 100 and p = 101 train the same model, but p = 101's answers are one token longer
        assertEquals(2, rows.size(), rows.toString());
        JsonObject first = rows.get(0).getAsJsonObject();
        assertEquals("modular-addition", first.get("experiment").getAsString());
        assertEquals("p=100", first.get("groups").getAsString());
        assertEquals(1, first.get("threads").getAsInt());
        assertEquals(64, first.get("dim").getAsInt());
        assertEquals(2, first.get("layers").getAsInt());
        assertEquals(64, first.get("batch").getAsInt());
        assertEquals(22, first.get("T").getAsInt()); // the format's W = 8
        assertEquals(23, rows.get(1).getAsJsonObject().get("T").getAsInt());
        assertTrue(first.has("cpu_ms_per_step_median"), first.toString());
        assertTrue(!first.has("preset"), "no preset rows unless --presets is given");
    }

    @Test
    void badInputIsAUsageError() {
        for (String[] args : new String[][]{{"bench"}, {"bench", "train"}, {"bench", "gemm", "--sizes", "12x"},
                {"bench", "step", "--presets", "huge"},
                {"bench", "step", "--experiment", "addition,all"}, {"bench", "gemm", "--backend", "gpu"}}) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("lengthgen bench: "), r.err());
            assertEquals("", r.out());
        }
    }
}

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
        Result r = run("bench", "gemm", "--sizes", "8,33", "--samples", "1", "--min-time", "0.005", "--no-peak", "--json",
                "--threads", "2");
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
    void badInputIsAUsageError() {
        for (String[] args : new String[][]{{"bench"}, {"bench", "train"}, {"bench", "gemm", "--sizes", "12x"},
                {"bench", "step", "--presets", "huge"}, {"bench", "gemm", "--backend", "gpu"}}) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("lengthgen bench: "), r.err());
            assertEquals("", r.out());
        }
    }
}

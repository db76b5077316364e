package dev.lengthgen.runner.report;

import com.google.gson.JsonParser;
import dev.lengthgen.runner.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lengthgen report DIR} as a user runs it. */
class ReportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void printsTheTablesAndWhereTheReportIs() throws Exception {
        ExperimentFixture.write(tmp);
        CliRun r = CliRun.of("report", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("modular-addition: scale tiny · version 1 · 4 of 5 runs finished"), r.out());
        assertTrue(r.out().contains("85.0 [80.0–90.0] (th 100.0)"), r.out());
        assertTrue(r.out().contains("Pending: p101-s2"), r.out());
        assertTrue(r.out().contains("report: " + tmp.resolve("report.html")), r.out());
        assertTrue(Files.isRegularFile(tmp.resolve("report.html")));
    }

    @Test
    void jsonPrintsSummaryJson() throws Exception {
        ExperimentFixture.write(tmp);
        CliRun r = CliRun.of("report", tmp.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(tmp.resolve("summary.json")), r.out());
        assertEquals("modular-addition",
                JsonParser.parseString(r.out()).getAsJsonObject().get("experiment").getAsString());
    }

    @Test
    void badInputIsOneLineThatSaysWhatToDo() throws Exception {
        CliRun.assertUsage("give the experiment folder", "report");
        CliRun.assertUsage("has no experiment.json: give the folder that 'lengthgen reproduce' wrote", "report",
                tmp.toString());
        Files.writeString(tmp.resolve("experiment.json"), "[1, 2]");
        CliRun.assertUsage("experiment.json should hold one JSON object", "report", tmp.toString());
        Files.writeString(tmp.resolve("experiment.json"), "{\"runs\": [1, {");
        CliRun.assertUsage("experiment.json is not valid JSON (at line 1 column 15): rerun", "report", tmp.toString());
        CliRun.assertUsage("one experiment folder at a time", "report", tmp.toString(), tmp.toString());
    }
}

package dev.lengthgen.runner.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.cli.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report of a synthetic experiment folder ({@link ExperimentFixture}): every file and its numbers. */
class ExperimentReportTest {
    @TempDir
    Path tmp;

    private static final List<String> CHARTS = List.of("charts/accuracy.png",
            "charts/per-place-p-100.png", "charts/training-p-100.png", "charts/accuracy-by-step-p-100.png",
            "charts/per-place-p-101.png", "charts/training-p-101.png", "charts/accuracy-by-step-p-101.png");

    private ExperimentReport.Written report() throws Exception {
        return ExperimentReport.write(ExperimentFixture.write(tmp));
    }

    @Test
    void exactMatchTableHasMeanRangeAndPredictionPerGroupAndLength() throws Exception {
        report();
        Table exact = ReportTables.exact(GroupSummary.of(ExperimentRecord.load(tmp).runs()));
        assertEquals(List.of("group", "seeds", "1 (id)", "2 (id)", "3 (outward)"), exact.header());
        assertEquals(List.of(
                List.of("p=100", "2", "100.0 [100.0–100.0] (th 100.0)", "97.0 [96.0–98.0] (th 100.0)",
                        "85.0 [80.0–90.0] (th 100.0)"),
                List.of("p=101", "2 of 3", "100.0 [100.0–100.0] (th 100.0)", "98.0 [97.0–99.0] (th 100.0)",
                        "1.0 [0.0–2.0]")), exact.rows());

        Table fhat = ReportTables.fhat(GroupSummary.of(ExperimentRecord.load(tmp).runs()));
        assertEquals(List.of(
                List.of("p=100", "2", "100.0 [100.0–100.0]", "97.0 [96.0–98.0]", "88.0 [85.0–91.0]"),
                List.of("p=101", "2 of 3", "100.0", "99.0", "97.0")), fhat.rows(),
                "f^ over the seeds that measured it: p101-s1 logged none");

        String md = Files.readString(tmp.resolve("report.md"));
        assertTrue(md.contains("| 85.0 [80.0–90.0] (th 100.0) |"), md);
        assertTrue(md.contains(" 1.0 [0.0–2.0] |\n"), md);
        assertTrue(md.contains("3 (outward)"), md);
        assertTrue(md.contains("Pending: p101-s2 (step 20 of 40)."), md);
        assertTrue(md.contains("p = 101 does not"), "the expected result is in the report");
    }

    @Test
    void oneSeedShowsJustTheValue() {
        LengthSummary one = new LengthSummary(4, "outward", new Spread(0.992, 0.992, 0.992, 1), null, null,
                new double[0]);
        assertEquals("99.2", ReportTables.exactCell(one));
        LengthSummary predicted = new LengthSummary(4, "outward", new Spread(0.5, 0.25, 0.75, 2), null, 0.0099,
                new double[0]);
        assertEquals("50.0 [25.0–75.0] (th 1.0)", ReportTables.exactCell(predicted));
    }

    @Test
    void csvHasOneRowPerGroupAndLength() throws Exception {
        report();
        List<String> rows = Files.readAllLines(tmp.resolve("table.csv"));
        assertEquals(CsvTable.HEADER, rows.get(0));
        assertEquals(1 + 2 * 3, rows.size(), String.join("\n", rows));
        assertTrue(rows.contains("p=100,2,3,outward,0.850000,0.800000,0.900000,0.880000,0.850000,0.910000,1.000000"),
                String.join("\n", rows));
        assertTrue(rows.contains("p=101,2,3,outward,0.010000,0.000000,0.020000,0.970000,0.970000,0.970000,"),
                String.join("\n", rows));
        assertTrue(rows.contains("p=101,2,1,id,1.000000,1.000000,1.000000,1.000000,1.000000,1.000000,1.000000"),
                String.join("\n", rows));
    }

    @Test
    void summaryJsonCarriesEveryRunWithNullsWhereValuesAreMissing() throws Exception {
        ExperimentReport.Written w = report();
        String text = Files.readString(tmp.resolve("summary.json"));
        assertEquals(text, w.summaryJson());
        JsonObject s = JsonParser.parseString(text).getAsJsonObject();
        assertEquals("modular-addition", s.get("experiment").getAsString());
        assertEquals(1, s.get("version").getAsInt());
        assertEquals("tiny", s.get("scale").getAsString());
        JsonArray runs = s.getAsJsonArray("runs");
        assertEquals(5, runs.size());

        JsonObject first = runs.get(0).getAsJsonObject();
        assertEquals("p100-s0", first.get("id").getAsString());
        assertEquals("p=100", first.get("group").getAsString());
        assertEquals("mod-add", first.get("task").getAsString());
        assertEquals(100, first.get("modulus").getAsInt());
        assertEquals(10, first.get("base").getAsInt());
        assertEquals("ape", first.get("pos").getAsString());
        assertEquals(0, first.get("seed").getAsInt());
        assertEquals("1-2", first.get("train_digits").getAsString());
        assertTrue(first.get("finished").getAsBoolean());
        assertEquals(40, first.get("step").getAsInt());
        assertEquals(12.5, first.get("wall_s").getAsDouble());
        JsonObject three = first.getAsJsonArray("lengths").get(2).getAsJsonObject();
        assertEquals(3, three.get("digits").getAsInt());
        assertEquals("outward", three.get("label").getAsString());
        assertEquals(0.90, three.get("exact").getAsDouble());
        assertEquals(0.91, three.get("fhat").getAsDouble());
        assertEquals(1.0, three.get("predicted").getAsDouble());
        assertEquals(3, three.getAsJsonArray("per_place").size());

        JsonObject older = runs.get(3).getAsJsonObject().getAsJsonArray("lengths").get(2).getAsJsonObject();
        assertTrue(older.has("predicted") && older.get("predicted").isJsonNull(), older.toString());
        assertTrue(older.has("fhat") && older.get("fhat").isJsonNull(), older.toString());

        JsonObject running = runs.get(4).getAsJsonObject();
        assertEquals("p101-s2", running.get("id").getAsString());
        assertFalse(running.get("finished").getAsBoolean());
        assertEquals(20, running.get("step").getAsInt(), "the last complete metrics line");
        assertTrue(running.get("wall_s").isJsonNull());
        assertEquals(0, running.getAsJsonArray("lengths").size());
        assertEquals("p101-s2", s.getAsJsonArray("pending").get(0).getAsString());

        JsonObject group = s.getAsJsonArray("groups").get(1).getAsJsonObject();
        assertEquals("p=101", group.get("group").getAsString());
        JsonObject g3 = group.getAsJsonArray("lengths").get(2).getAsJsonObject();
        assertEquals(0.01, g3.get("exact_mean").getAsDouble(), 1e-12);
        assertEquals(0.0, g3.get("exact_min").getAsDouble());
        assertEquals(0.02, g3.get("exact_max").getAsDouble());
        assertEquals(0.97, g3.get("fhat_mean").getAsDouble());
        assertTrue(g3.get("predicted").isJsonNull());
    }

    @Test
    void chartsAreValidPngsOfTheStatedSize() throws Exception {
        ExperimentReport.Written w = report();
        assertEquals(List.of(), w.warnings(), "charts should draw here");
        assertEquals(CHARTS.stream().map(tmp::resolve).toList(), w.charts());
        for (String chart : CHARTS) {
            BufferedImage image = ImageIO.read(tmp.resolve(chart).toFile());
            assertNotNull(image, chart + " is not a readable image");
            assertEquals(ChartStyle.WIDTH, image.getWidth(), chart);
            assertEquals(ChartStyle.HEIGHT, image.getHeight(), chart);
            byte[] head = Files.readAllBytes(tmp.resolve(chart));
            assertEquals((byte) 0x89, head[0]);
            assertEquals("PNG", new String(head, 1, 3, StandardCharsets.US_ASCII), chart);
        }
    }

    @Test
    void chartsThatCannotBeDrawnLeaveTheTablesAndOneWarning() throws Exception {
        ExperimentFixture.write(tmp);
        ExperimentReport.Written w = ExperimentReport.write(tmp, chart -> {
            throw new InternalError("no fonts");
        });
        assertEquals(1, w.warnings().size(), w.warnings().toString());
        String warning = w.warnings().get(0);
        assertTrue(warning.contains("no fonts") && warning.contains("install fonts"), warning);
        assertFalse(warning.contains("\n"), "one line");
        assertEquals(List.of(), w.charts());
        assertFalse(Files.exists(tmp.resolve("charts")), "no charts folder without charts");
        assertTrue(Files.readString(tmp.resolve("report.md")).contains("85.0 [80.0–90.0] (th 100.0)"));
        assertTrue(Files.readString(tmp.resolve("report.html")).contains(HtmlPage.escape(warning)));
        assertFalse(Files.readString(tmp.resolve("report.html")).contains("<img"));
        assertEquals(warning, JsonParser.parseString(w.summaryJson()).getAsJsonObject().getAsJsonArray("warnings")
                .get(0).getAsString());
    }

    @Test
    void reportFilesAreReadableByOthersWhereTheFileSystemSaysSo() throws Exception {
        ExperimentReport.Written w = report();
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "x"); // what the umask gives an ordinary file
        if (!Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
            return;
        }
        var expected = Files.getPosixFilePermissions(plain);
        for (Path f : w.files()) {
            assertEquals(expected, Files.getPosixFilePermissions(f), f.toString());
        }
    }

    @Test
    void htmlPageIsSelfContainedAndShowsTablesChartsAndPendingRuns() throws Exception {
        report();
        String html = Files.readString(tmp.resolve("report.html"));
        for (String chart : CHARTS) {
            assertTrue(html.contains("<img src=\"" + chart + "\""), chart);
        }
        assertTrue(html.contains("<table>"), html);
        assertTrue(html.contains("<td>85.0 [80.0–90.0] (th 100.0)</td>"), html);
        assertTrue(html.contains("<th>3 (outward)</th>"), html);
        assertTrue(html.contains("p101-s2 (step 20 of 40)"), html);
        assertTrue(html.contains("Modular addition mod p with absolute positions"), "description");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("http://") || html.contains("https://"), "nothing from the network");
    }

    @Test
    void regeneratingReplacesOnlyReportFiles() throws Exception {
        report();
        Files.writeString(tmp.resolve("notes.txt"), "mine");
        ExperimentFixture.run(tmp, "p101-s2", "p=101", 101, 2,
                ExperimentFixture.result(new double[] {1.0, 0.95, 0.04}, new Double[] {1.0, 0.95, 0.9},
                        new Double[] {1.0, 1.0, null}));
        ExperimentReport.write(tmp);
        assertEquals("mine", Files.readString(tmp.resolve("notes.txt")));
        assertTrue(Files.readString(tmp.resolve("report.md")).contains("All runs finished."));
        assertTrue(Files.readAllLines(tmp.resolve("table.csv"))
                .contains("p=101,3,3,outward,0.020000,0.000000,0.040000,0.935000,0.900000,0.970000,"));
        try (Stream<Path> files = Files.walk(tmp)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(),
                    "no temporary files left");
        }
    }

    @Test
    void aGroupWithoutFinishedRunsIsPending() throws Exception {
        ExperimentFixture.write(tmp);
        ExperimentFixture.run(tmp, "p150-s0", "p=150", 150, 0, null);
        String json = Files.readString(tmp.resolve("experiment.json"))
                .replace("\"p101-s2\"", "\"p101-s2\",\"p150-s0\"");
        Files.writeString(tmp.resolve("experiment.json"), json);
        ExperimentReport.Written w = ExperimentReport.write(tmp);
        Table exact = ReportTables.exact(GroupSummary.of(ExperimentRecord.load(tmp).runs()));
        assertEquals(List.of("p=150", "0 of 1", "pending", "pending", "pending"), exact.rows().get(2));
        assertTrue(w.charts().contains(tmp.resolve("charts/training-p-150.png")), "curves of a running group");
        assertFalse(w.charts().contains(tmp.resolve("charts/per-place-p-150.png")), "no results yet");
    }

    @Test
    void aListedRunWithoutFolderIsNotStarted() throws Exception {
        ExperimentFixture.write(tmp);
        String json = Files.readString(tmp.resolve("experiment.json"))
                .replace("\"p101-s2\"", "\"p101-s2\",\"later\"");
        Files.writeString(tmp.resolve("experiment.json"), json);
        ExperimentReport.Written w = ExperimentReport.write(tmp);
        assertTrue(w.text().contains("later (not started)"), w.text());
        JsonObject later = JsonParser.parseString(w.summaryJson()).getAsJsonObject().getAsJsonArray("runs").get(5)
                .getAsJsonObject();
        assertTrue(later.get("group").isJsonNull());
        assertFalse(later.get("finished").getAsBoolean());
    }

    @Test
    void missingExperimentJsonSaysWhatToDo() {
        UsageException e = assertThrows(UsageException.class, () -> ExperimentReport.write(tmp));
        assertTrue(e.getMessage().contains("has no experiment.json"), e.getMessage());
        assertTrue(e.getMessage().contains("'lengthgen reproduce' wrote"), e.getMessage());
        UsageException absent = assertThrows(UsageException.class, () -> ExperimentReport.write(tmp.resolve("nope")));
        assertTrue(absent.getMessage().contains("does not exist"), absent.getMessage());
    }

    @Test
    void garbledExperimentJsonSaysWhatToDo() throws IOException {
        Files.writeString(tmp.resolve("experiment.json"), "{\"experiment\": \"x\", \"runs\": [");
        UsageException e = assertThrows(UsageException.class, () -> ExperimentReport.write(tmp));
        assertTrue(e.getMessage().contains("experiment.json is not valid JSON"), e.getMessage());
        assertTrue(e.getMessage().contains("fix the file"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");

        Files.writeString(tmp.resolve("experiment.json"), "{\"experiment\": \"x\"}");
        UsageException noRuns = assertThrows(UsageException.class, () -> ExperimentReport.write(tmp));
        assertTrue(noRuns.getMessage().contains("'runs'"), noRuns.getMessage());
        assertFalse(Files.exists(tmp.resolve("report.md")), "nothing written");
    }

    @Test
    void garbledResultJsonNamesTheFile() throws Exception {
        ExperimentFixture.write(tmp);
        Files.writeString(tmp.resolve("runs/p100-s1/result.json"), "{\"step\": 40, \"lengths\": [{\"digits\"");
        UsageException e = assertThrows(UsageException.class, () -> ExperimentReport.write(tmp));
        assertTrue(e.getMessage().contains("p100-s1"), e.getMessage());
        assertTrue(e.getMessage().contains("result.json is not valid JSON"), e.getMessage());
    }

    @Test
    void aMetricsLineThatIsNotTextIsSkippedNotBlamedOnPermissions() throws Exception {
        ExperimentFixture.write(tmp);
        Path metrics = tmp.resolve("runs/p101-s2/metrics.jsonl");
        byte[] bytes = Files.readAllBytes(metrics);
        bytes[3] = (byte) 0xff; // the first line, inside {"step"...
        Files.write(metrics, bytes);
        ExperimentReport.Written w = ExperimentReport.write(tmp);
        JsonObject running = JsonParser.parseString(w.summaryJson()).getAsJsonObject().getAsJsonArray("runs").get(4)
                .getAsJsonObject();
        assertEquals("p101-s2", running.get("id").getAsString());
        assertEquals(20, running.get("step").getAsInt(), "the lines after the damaged one still count");
    }
}

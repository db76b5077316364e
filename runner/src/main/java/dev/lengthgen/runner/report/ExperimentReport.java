package dev.lengthgen.runner.report;

import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The report of an experiment folder: reads experiment.json and runs/&lt;id&gt;/ (unfinished runs are listed as
 * pending, not an error) and writes report.md, report.html, table.csv, summary.json and charts/*.png into the folder.
 * Every file is written atomically; regenerating replaces these files and touches nothing else, so it is safe to
 * call after every finished run of a long experiment.
 */
public final class ExperimentReport {
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    public static final String CSV = "table.csv";
    public static final String SUMMARY = "summary.json";

    /**
     * What {@link #write} wrote.
     *
     * @param charts      the chart files, in the order the report shows them (empty when they could not be drawn)
     * @param summaryJson the content of summary.json
     * @param text        a short human summary: the experiment, the exact-match and f^ tables, the pending runs
     * @param warnings    one line each (e.g. charts that could not be drawn); empty when all went well
     */
    public record Written(Path markdown, Path html, Path csv, Path summary, List<Path> charts, String summaryJson,
                          String text, List<String> warnings) {

        /** Every file written. */
        public List<Path> files() {
            List<Path> all = new ArrayList<>(List.of(markdown, html, csv, summary));
            all.addAll(charts);
            return List.copyOf(all);
        }
    }

    private ExperimentReport() {
    }

    /**
     * Reads the experiment folder and writes its report into it.
     *
     * @throws UsageException when the folder is not an experiment folder (no or unreadable experiment.json, a
     *                        garbled run file) or cannot be written; the message says what to do
     * @throws IOException    when writing fails part way
     */
    public static Written write(Path dir) throws IOException, UsageException {
        return write(dir, ChartStyle::png);
    }

    static Written write(Path dir, Charts.Renderer renderer) throws IOException, UsageException {
        ExperimentRecord experiment = ExperimentRecord.load(dir);
        checkWritable(dir);
        List<GroupSummary> groups = GroupSummary.of(experiment.runs());
        List<Table> resultTables = List.of(ReportTables.exact(groups), ReportTables.fhat(groups));
        Table runs = ReportTables.runs(experiment);

        Charts.Drawn drawn = Charts.draw(dir, experiment.name(), groups, renderer);
        List<String> warnings = drawn.warning() == null ? List.of() : List.of(drawn.warning());

        String summaryJson = SummaryJson.of(experiment, groups, warnings);
        Path summary = dir.resolve(SUMMARY);
        Path csv = dir.resolve(CSV);
        Path markdown = dir.resolve(MARKDOWN);
        Path html = dir.resolve(HTML);
        AtomicFile.write(summary, summaryJson);
        AtomicFile.write(csv, CsvTable.of(groups));
        AtomicFile.write(markdown, MarkdownReport.of(experiment, resultTables, runs, drawn.charts(), drawn.warning()));
        AtomicFile.write(html, HtmlPage.of(experiment, resultTables, runs, drawn.charts(), drawn.warning()));

        List<Path> chartPaths = drawn.charts().stream().map(c -> dir.resolve(c.path())).toList();
        return new Written(markdown, html, csv, summary, chartPaths, summaryJson, text(experiment, resultTables),
                warnings);
    }

    private static String text(ExperimentRecord e, List<Table> tables) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.name()).append(": ").append(MarkdownReport.facts(e)).append("\n\n");
        for (Table t : tables) {
            sb.append(t.title()).append('\n').append(MarkdownReport.table(t)).append('\n');
        }
        sb.append(tables.get(0).note()).append('\n');
        if (!e.pending().isEmpty()) {
            sb.append(MarkdownReport.pendingLine(e)).append('\n');
        }
        return sb.toString();
    }

    private static void checkWritable(Path dir) throws UsageException {
        try {
            Path probe = Files.createTempFile(dir, ".report-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new UsageException("cannot write to " + dir + " (" + e.getClass().getSimpleName() + "): make the "
                    + "folder writable, or copy it somewhere writable and report there");
        }
    }
}

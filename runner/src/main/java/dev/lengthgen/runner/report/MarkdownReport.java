package dev.lengthgen.runner.report;

import java.util.ArrayList;
import java.util.List;

/**
 * report.md: the experiment, what the theory expects, the tables (columns padded so the file reads well as plain
 * text too), the charts and the runs. {@link #table} alone is what {@code lengthgen report} prints.
 */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    static String of(ExperimentRecord e, List<Table> resultTables, Table runs, List<Charts.ChartFile> charts,
                     String chartWarning) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(e.name()).append("\n\n");
        sb.append(facts(e)).append("\n\n");
        if (e.description() != null && !e.description().isBlank()) {
            sb.append(e.description().strip()).append("\n\n");
        }
        if (e.expected() != null && !e.expected().isBlank()) {
            sb.append("**Expected.** ").append(e.expected().strip()).append("\n\n");
        }
        sb.append(pendingLine(e)).append("\n\n");
        for (Table t : resultTables) {
            sb.append("## ").append(t.title()).append("\n\n").append(table(t)).append('\n')
                    .append(t.note()).append("\n\n");
        }
        sb.append("## Charts\n\n");
        if (chartWarning != null) {
            sb.append("Charts: ").append(chartWarning).append("\n\n");
        } else if (charts.isEmpty()) {
            sb.append("No charts yet: no run has logged metrics.\n\n");
        }
        for (Charts.ChartFile c : charts) {
            sb.append("![").append(c.title()).append("](").append(c.path()).append(")\n\n")
                    .append(c.caption()).append("\n\n");
        }
        sb.append("## ").append(runs.title()).append("\n\n").append(table(runs)).append('\n').append(runs.note())
                .append("\n\n");
        sb.append("Files: `").append(ExperimentReport.CSV).append("` (the table in long format), `")
                .append(ExperimentReport.SUMMARY).append("` (everything, for scripts), `")
                .append(ExperimentReport.HTML).append("` (this report with its charts).\n");
        return sb.toString();
    }

    /** "scale tiny · version 1 · 5 of 6 runs finished". */
    static String facts(ExperimentRecord e) {
        List<String> parts = new ArrayList<>();
        if (e.scale() != null) {
            parts.add("scale " + e.scale());
        }
        if (e.version() != null) {
            parts.add("version " + e.version());
        }
        parts.add(e.finishedCount() + " of " + e.runs().size() + " runs finished");
        return String.join(" · ", parts);
    }

    /** "Pending: a (step 100 of 6000), b (not started)." or "All runs finished." */
    static String pendingLine(ExperimentRecord e) {
        if (e.pending().isEmpty()) {
            return "All runs finished.";
        }
        List<String> items = new ArrayList<>();
        for (RunRecord r : e.pending()) {
            items.add(r.id() + " (" + ReportTables.progress(r) + ")");
        }
        return "Pending: " + String.join(", ", items) + ".";
    }

    /** A Markdown table with its columns padded to equal width. */
    public static String table(Table t) {
        int columns = t.header().size();
        int[] width = new int[columns];
        for (int c = 0; c < columns; c++) {
            width[c] = Math.max(3, escape(t.header().get(c)).length());
            for (List<String> row : t.rows()) {
                width[c] = Math.max(width[c], escape(row.get(c)).length());
            }
        }
        boolean[] right = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            right[c] = isNumeric(t, c);
        }
        StringBuilder sb = new StringBuilder();
        line(sb, t.header(), width, right);
        sb.append('|');
        for (int c = 0; c < columns; c++) {
            sb.append(' ').append(right[c] ? "-".repeat(width[c] - 1) + ":" : "-".repeat(width[c])).append(" |");
        }
        sb.append('\n');
        for (List<String> row : t.rows()) {
            line(sb, row, width, right);
        }
        return sb.toString();
    }

    /** A column of numbers (or no-value marks) is right-aligned so that its digits line up; text stays left. */
    private static boolean isNumeric(Table t, int column) {
        for (List<String> row : t.rows()) {
            String cell = row.get(column);
            if (!(cell.equals(ReportTables.NONE) || cell.equals("pending") || (!cell.isEmpty()
                    && Character.isDigit(cell.charAt(0))))) {
                return false;
            }
        }
        return !t.rows().isEmpty();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width, boolean[] right) {
        sb.append('|');
        for (int c = 0; c < cells.size(); c++) {
            String cell = escape(cells.get(c));
            String padding = " ".repeat(width[c] - cell.length());
            sb.append(' ').append(right[c] ? padding + cell : cell + padding).append(" |");
        }
        sb.append('\n');
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|").replace("\n", " ");
    }
}

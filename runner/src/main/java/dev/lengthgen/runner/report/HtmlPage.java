package dev.lengthgen.runner.report;

import java.util.List;

/**
 * report.html: one self-contained page (inline CSS, no scripts, no external resources) that opens offline from the
 * experiment folder: the description, what the theory expects, the tables, the charts (relative links into
 * charts/) and the runs, pending ones marked.
 */
public final class HtmlPage {
    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 1100px;
                   margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
            h1 { margin-bottom: 0.2em; }
            .facts { color: #555; margin-top: 0; }
            .expected { background: #f3f7fc; border-left: 4px solid #0072b2; padding: 0.6em 1em; }
            .pending { background: #fff8e6; border-left: 4px solid #e69f00; padding: 0.6em 1em; }
            .warning { background: #fdecea; border-left: 4px solid #d55e00; padding: 0.6em 1em; }
            table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
            th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; white-space: nowrap; }
            th:first-child, td:first-child { text-align: left; }
            th { background: #f2f2f2; }
            .note { color: #555; font-size: 0.9em; }
            figure { margin: 1.5em 0; }
            figure img { max-width: 100%; border: 1px solid #ddd; }
            figcaption { color: #555; font-size: 0.9em; }
            """;

    private HtmlPage() {
    }

    static String of(ExperimentRecord e, List<Table> resultTables, Table runs, List<Charts.ChartFile> charts,
                     String chartWarning) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(e.name())).append(" – lengthgen report</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        sb.append("<h1>").append(escape(e.name())).append("</h1>\n");
        sb.append("<p class=\"facts\">").append(escape(MarkdownReport.facts(e))).append("</p>\n");
        if (e.description() != null && !e.description().isBlank()) {
            sb.append("<p>").append(escape(e.description().strip())).append("</p>\n");
        }
        if (e.expected() != null && !e.expected().isBlank()) {
            sb.append("<p class=\"expected\"><strong>Expected.</strong> ").append(escape(e.expected().strip()))
                    .append("</p>\n");
        }
        if (!e.pending().isEmpty()) {
            sb.append("<p class=\"pending\">").append(escape(MarkdownReport.pendingLine(e))).append("</p>\n");
        }
        for (Table t : resultTables) {
            table(sb, t);
        }
        sb.append("<h2>Charts</h2>\n");
        if (chartWarning != null) {
            sb.append("<p class=\"warning\">").append(escape(chartWarning)).append("</p>\n");
        } else if (charts.isEmpty()) {
            sb.append("<p>No charts yet: no run has logged metrics.</p>\n");
        }
        for (Charts.ChartFile c : charts) {
            sb.append("<figure>\n<img src=\"").append(escape(c.path())).append("\" alt=\"").append(escape(c.title()))
                    .append("\" width=\"").append(ChartStyle.WIDTH).append("\" height=\"").append(ChartStyle.HEIGHT)
                    .append("\">\n<figcaption>").append(escape(c.caption())).append("</figcaption>\n</figure>\n");
        }
        table(sb, runs);
        sb.append("<p class=\"note\">Files: <a href=\"").append(ExperimentReport.CSV).append("\">")
                .append(ExperimentReport.CSV).append("</a> (the table in long format), <a href=\"")
                .append(ExperimentReport.SUMMARY).append("\">").append(ExperimentReport.SUMMARY)
                .append("</a> (everything, for scripts), <a href=\"").append(ExperimentReport.MARKDOWN).append("\">")
                .append(ExperimentReport.MARKDOWN).append("</a>.</p>\n");
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static void table(StringBuilder sb, Table t) {
        sb.append("<h2>").append(escape(t.title())).append("</h2>\n<table>\n<thead><tr>");
        for (String h : t.header()) {
            sb.append("<th>").append(escape(h)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : t.rows()) {
            sb.append("<tr>");
            for (String cell : row) {
                sb.append("<td>").append(escape(cell)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n<p class=\"note\">").append(escape(t.note())).append("</p>\n");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}

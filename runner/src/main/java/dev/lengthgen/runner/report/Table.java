package dev.lengthgen.runner.report;

import java.util.List;

/**
 * A table of the report as text cells, rendered alike as Markdown and HTML so that both show the same numbers.
 *
 * @param note one sentence under the table that says how to read the cells
 */
public record Table(String title, String note, List<String> header, List<List<String>> rows) {
}

package dev.lengthgen.runner.report;

import java.util.List;
import java.util.Locale;

/**
 * table.csv: the exact-match table in long format, one row per group and test length, fractions in [0, 1] (empty
 * where there is no value), for spreadsheets and plotting scripts.
 */
public final class CsvTable {
    static final String HEADER = "group,seeds,digits,label,exact_mean,exact_min,exact_max,fhat_mean,fhat_min,fhat_max,"
            + "predicted";

    private CsvTable() {
    }

    public static String of(List<GroupSummary> groups) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (GroupSummary g : groups) {
            for (LengthSummary l : g.lengths()) {
                Spread f = l.fhat();
                sb.append(field(g.name())).append(',').append(l.seeds()).append(',').append(l.digits()).append(',')
                        .append(field(l.label())).append(',')
                        .append(num(l.exact().mean())).append(',').append(num(l.exact().min())).append(',')
                        .append(num(l.exact().max())).append(',')
                        .append(f == null ? "" : num(f.mean())).append(',')
                        .append(f == null ? "" : num(f.min())).append(',')
                        .append(f == null ? "" : num(f.max())).append(',')
                        .append(l.predicted() == null ? "" : num(l.predicted())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
    static String field(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}

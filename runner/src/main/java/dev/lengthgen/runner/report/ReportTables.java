package dev.lengthgen.runner.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The report's tables: exact match and accuracy against f^ per group and test length (mean over seeds with the
 * min-max range, in percent), and the list of runs with their state.
 */
public final class ReportTables {
    /** A cell with no measurement (the group's runs did not test that length). */
    static final String NONE = "–";
    static final String NOT_STARTED = "not started";

    private ReportTables() {
    }

    /** Exact match per group and test length, with the theory's prediction beside each cell. */
    public static Table exact(List<GroupSummary> groups) {
        return byLength(groups, "Exact match (%)", "Mean exact match over a group's finished seeds in percent, "
                + "[min–max] over seeds where there is more than one; th: the theory's prediction for a model that "
                + "learned f^ (none where it makes no prediction).", true);
    }

    /** Accuracy against f^ per group and test length. */
    public static Table fhat(List<GroupSummary> groups) {
        return byLength(groups, "Accuracy against f^ (%)", "Accuracy against the truncated function f^ (operands "
                + "reduced mod B^n, n the longest training length), mean [min–max] over seeds in percent.", false);
    }

    /** Every run with its group, seed, model and state. */
    public static Table runs(ExperimentRecord experiment) {
        List<List<String>> rows = new ArrayList<>();
        for (RunRecord r : experiment.runs()) {
            rows.add(List.of(r.id(), r.plan() == null ? NONE : r.group(),
                    r.plan() == null ? NONE : Long.toString(r.plan().seed()),
                    r.model() == null ? NONE : r.model(), state(r)));
        }
        return new Table("Runs", experiment.finishedCount() + " of " + experiment.runs().size() + " runs finished.",
                List.of("run", "group", "seed", "model", "state"), rows);
    }

    /** "finished: step 6000, 123 s", "pending: step 1200 of 6000" (running or stopped), "not started". */
    static String state(RunRecord r) {
        if (r.finished()) {
            RunResult res = r.result();
            return "finished: step " + res.step()
                    + (res.wallSeconds() == null ? "" : String.format(Locale.ROOT, ", %.0f s", res.wallSeconds()));
        }
        String progress = progress(r);
        return progress.equals(NOT_STARTED) ? progress : "pending: " + progress;
    }

    /** How far an unfinished run got: "step 1200 of 6000", or "not started". */
    static String progress(RunRecord r) {
        Integer step = r.lastStep();
        if (r.plan() == null || (step == null && r.plannedSteps() == null)) {
            return NOT_STARTED;
        }
        return "step " + (step == null ? 0 : step) + (r.plannedSteps() == null ? "" : " of " + r.plannedSteps());
    }

    /** Every test length any group measured, shortest first. */
    static List<Integer> testLengths(List<GroupSummary> groups) {
        TreeSet<Integer> all = new TreeSet<>();
        for (GroupSummary g : groups) {
            g.lengths().forEach(l -> all.add(l.digits()));
        }
        return List.copyOf(all);
    }

    /**
     * The label every group that measured the length agrees on, or null when they differ (groups trained on
     * different lengths).
     */
    static String commonLabel(List<GroupSummary> groups, int digits) {
        String label = null;
        for (GroupSummary g : groups) {
            LengthSummary l = g.at(digits);
            if (l == null) {
                continue;
            }
            if (label == null) {
                label = l.label();
            } else if (!label.equals(l.label())) {
                return null;
            }
        }
        return label;
    }

    /** "5 (outward)", or "5" when groups label it differently. */
    static String lengthHeading(List<GroupSummary> groups, int digits) {
        String label = commonLabel(groups, digits);
        return label == null || label.isEmpty() ? Integer.toString(digits) : digits + " (" + label + ")";
    }

    private static Table byLength(List<GroupSummary> groups, String title, String note, boolean exact) {
        List<Integer> lengths = testLengths(groups);
        List<String> header = new ArrayList<>(List.of("group", "seeds"));
        for (int d : lengths) {
            header.add(lengthHeading(groups, d));
        }
        List<List<String>> rows = new ArrayList<>();
        for (GroupSummary g : groups) {
            List<String> row = new ArrayList<>();
            row.add(g.name());
            int finished = g.finishedRuns().size();
            row.add(finished == g.runs().size() ? Integer.toString(finished) : finished + " of " + g.runs().size());
            for (int d : lengths) {
                LengthSummary l = g.at(d);
                if (finished == 0) {
                    row.add("pending");
                } else if (l == null) {
                    row.add(NONE);
                } else {
                    String prefix = commonLabel(groups, d) == null ? l.label() + ": " : "";
                    row.add(prefix + (exact ? exactCell(l) : spreadCell(l.fhat())));
                }
            }
            rows.add(row);
        }
        return new Table(title, note, header, rows);
    }

    /** "99.2 [98.7–99.7] (th 100.0)"; one seed: "99.2 (th 100.0)"; no prediction: no "(th ...)". */
    static String exactCell(LengthSummary l) {
        String cell = spreadCell(l.exact());
        return l.predicted() == null ? cell : cell + " (th " + percent(l.predicted()) + ")";
    }

    /** "99.2 [98.7–99.7]"; one value: "99.2"; none: "–". */
    static String spreadCell(Spread s) {
        if (s == null) {
            return NONE;
        }
        if (s.n() == 1) {
            return percent(s.mean());
        }
        return percent(s.mean()) + " [" + percent(s.min()) + "–" + percent(s.max()) + "]";
    }

    /** A fraction as a percentage with one decimal. */
    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }
}

package dev.lengthgen.runner.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One group of runs (one model label, several seeds) reduced to a row of the report: per test length the mean and
 * range over the finished seeds. Unfinished seeds count towards {@link #runs()} but not towards the numbers.
 *
 * @param runs    every run of the group, in the experiment's order
 * @param lengths one per test length any finished seed measured, shortest first
 */
public record GroupSummary(String name, List<RunRecord> runs, List<LengthSummary> lengths) {

    public List<RunRecord> finishedRuns() {
        return runs.stream().filter(RunRecord::finished).toList();
    }

    /** The length's summary, or null when no finished seed measured it. */
    public LengthSummary at(int digits) {
        for (LengthSummary l : lengths) {
            if (l.digits() == digits) {
                return l;
            }
        }
        return null;
    }

    /** The groups of the runs that have a plan, in order of first appearance. */
    public static List<GroupSummary> of(List<RunRecord> runs) {
        Map<String, List<RunRecord>> byGroup = new LinkedHashMap<>();
        for (RunRecord r : runs) {
            if (r.plan() != null) {
                byGroup.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
            }
        }
        List<GroupSummary> out = new ArrayList<>();
        byGroup.forEach((name, members) -> out.add(summarize(name, members)));
        return List.copyOf(out);
    }

    private static GroupSummary summarize(String name, List<RunRecord> runs) {
        Map<Integer, List<LengthOutcome>> byDigits = new TreeMap<>();
        for (RunRecord r : runs) {
            if (r.finished()) {
                for (LengthOutcome l : r.result().lengths()) {
                    byDigits.computeIfAbsent(l.digits(), d -> new ArrayList<>()).add(l);
                }
            }
        }
        List<LengthSummary> lengths = new ArrayList<>();
        byDigits.forEach((digits, outcomes) -> lengths.add(summarize(digits, outcomes)));
        return new GroupSummary(name, List.copyOf(runs), List.copyOf(lengths));
    }

    private static LengthSummary summarize(int digits, List<LengthOutcome> seeds) {
        List<Double> exact = new ArrayList<>();
        List<Double> fhat = new ArrayList<>();
        List<Double> predicted = new ArrayList<>();
        int places = 0;
        for (LengthOutcome l : seeds) {
            exact.add(l.exact());
            if (l.fhat() != null) {
                fhat.add(l.fhat());
            }
            if (l.predicted() != null) {
                predicted.add(l.predicted());
            }
            places = Math.max(places, l.perPlace().length);
        }
        double[] perPlace = new double[places];
        for (int p = 0; p < places; p++) {
            double sum = 0;
            int n = 0;
            for (LengthOutcome l : seeds) {
                if (p < l.perPlace().length && !Double.isNaN(l.perPlace()[p])) {
                    sum += l.perPlace()[p];
                    n++;
                }
            }
            perPlace[p] = n == 0 ? Double.NaN : sum / n;
        }
        Spread predictedSpread = Spread.of(predicted);
        return new LengthSummary(digits, seeds.get(0).label(), Spread.of(exact), Spread.of(fhat),
                predictedSpread == null ? null : predictedSpread.mean(), perPlace);
    }
}

package dev.lengthgen.runner.report;

import dev.lengthgen.tasks.eval.LengthLabel;
import dev.lengthgen.tasks.sampling.DigitSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A group's metrics over training, averaged over its seeds at the steps every seed logged (so that no point mixes
 * seeds at different stages). The finished seeds are used when there are any; otherwise the runs still going, so a
 * running experiment's report already shows its curves.
 *
 * @param seeds      how many runs the curves average
 * @param inProgress true when they come from unfinished runs
 * @param loss       training loss by step
 * @param valLoss    validation loss by step (evaluation steps)
 * @param idExact    in-distribution exact match by step
 * @param acc        test length to its exact match by step
 * @param labels     test length to "id", "inward" or "outward" ("" when unknown)
 */
record TrainingCurves(int seeds, boolean inProgress, NavigableMap<Integer, Double> loss,
                      NavigableMap<Integer, Double> valLoss, NavigableMap<Integer, Double> idExact,
                      NavigableMap<Integer, NavigableMap<Integer, Double>> acc, Map<Integer, String> labels) {

    /** The group's curves, or null when none of its runs has logged anything. */
    static TrainingCurves of(GroupSummary group) {
        List<RunRecord> runs = group.finishedRuns();
        boolean inProgress = runs.isEmpty();
        if (inProgress) {
            runs = group.runs().stream().filter(r -> !r.metrics().isEmpty()).toList();
        }
        if (runs.isEmpty()) {
            return null;
        }
        TreeSet<Integer> lengths = new TreeSet<>();
        for (RunRecord r : runs) {
            r.metrics().forEach(p -> lengths.addAll(p.acc().keySet()));
        }
        NavigableMap<Integer, NavigableMap<Integer, Double>> acc = new TreeMap<>();
        Map<Integer, String> labels = new TreeMap<>();
        for (int d : lengths) {
            NavigableMap<Integer, Double> curve = average(runs, p -> p.acc().get(d));
            if (!curve.isEmpty()) {
                acc.put(d, curve);
                labels.put(d, label(group, runs.get(0), d));
            }
        }
        return new TrainingCurves(runs.size(), inProgress, average(runs, MetricsPoint::loss),
                average(runs, MetricsPoint::valLoss), average(runs, MetricsPoint::exact), acc, labels);
    }

    boolean isEmpty() {
        return loss.isEmpty() && valLoss.isEmpty() && idExact.isEmpty() && acc.isEmpty();
    }

    /**
     * The mean over runs of one metric at every step where each run that logs the metric has a value. Runs that never
     * log it (older runs without a field) are left out rather than emptying the curve.
     */
    static NavigableMap<Integer, Double> average(List<RunRecord> runs, Function<MetricsPoint, Double> metric) {
        List<Map<Integer, Double>> perRun = new ArrayList<>();
        for (RunRecord r : runs) {
            Map<Integer, Double> values = new TreeMap<>();
            for (MetricsPoint p : r.metrics()) {
                Double v = metric.apply(p);
                if (v != null) {
                    values.put(p.step(), v);
                }
            }
            if (!values.isEmpty()) {
                perRun.add(values);
            }
        }
        NavigableMap<Integer, Double> out = new TreeMap<>();
        if (perRun.isEmpty()) {
            return out;
        }
        TreeSet<Integer> common = new TreeSet<>(perRun.get(0).keySet());
        perRun.forEach(m -> common.retainAll(m.keySet()));
        for (int step : common) {
            double sum = 0;
            for (Map<Integer, Double> m : perRun) {
                sum += m.get(step);
            }
            out.put(step, sum / perRun.size());
        }
        return out;
    }

    /** The label the runs recorded for the length, else the one the run's training lengths give. */
    private static String label(GroupSummary group, RunRecord run, int digits) {
        LengthSummary measured = group.at(digits);
        if (measured != null) {
            return measured.label();
        }
        try {
            return LengthLabel.of(digits, DigitSpec.parse(run.plan().trainDigits())).cliName();
        } catch (RuntimeException e) {
            return "";
        }
    }
}

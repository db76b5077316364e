package dev.lengthgen.runner.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Exact match per test length against the training step (log axis), from the evaluations logged during training:
 * how in-distribution accuracy rises first and whether outward lengths follow. Trained lengths are solid, inward
 * ones thin, outward ones dashed.
 */
final class AccuracyByStepChart {
    private static final BasicStroke INWARD = new BasicStroke(1.2f);

    private AccuracyByStepChart() {
    }

    /** The chart, or null when the runs logged no per-length accuracy. */
    static JFreeChart draw(GroupSummary group, TrainingCurves curves) {
        if (curves == null || curves.acc().isEmpty()) {
            return null;
        }
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true); // markers: evaluations are sparse
        int colour = 0;
        for (Map.Entry<Integer, NavigableMap<Integer, Double>> length : curves.acc().entrySet()) {
            String label = curves.labels().getOrDefault(length.getKey(), "");
            String digits = length.getKey() + (length.getKey() == 1 ? " digit" : " digits");
            XYSeries series = new XYSeries(label.isEmpty() ? digits : digits + " (" + label + ")");
            for (Map.Entry<Integer, Double> p : length.getValue().entrySet()) {
                if (p.getKey() > 0) {
                    series.add(p.getKey().doubleValue(), 100 * p.getValue());
                }
            }
            if (series.getItemCount() == 0) {
                continue;
            }
            int s = data.getSeriesCount();
            data.addSeries(series);
            lines.setSeriesPaint(s, ChartStyle.colour(colour++));
            lines.setSeriesStroke(s, switch (label) {
                case "outward" -> ChartStyle.DASHED;
                case "inward" -> INWARD;
                default -> ChartStyle.SOLID;
            });
        }
        if (data.getSeriesCount() == 0) {
            return null;
        }
        XYPlot plot = new XYPlot(data, ChartStyle.stepAxis(), ChartStyle.percentAxis("exact match (%)"), lines);
        JFreeChart chart = new JFreeChart(group.name() + ": exact match per test length during training"
                + Charts.seedsNote(curves), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        return ChartStyle.finish(chart);
    }
}

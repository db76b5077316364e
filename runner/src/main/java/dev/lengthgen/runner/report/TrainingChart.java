package dev.lengthgen.runner.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Stroke;
import java.util.Map;
import java.util.NavigableMap;

/**
 * One group's training curves in the manner of the paper's Figure 1: training and validation loss (left, log scale)
 * and in-distribution exact match (right, percent) against the step on a log axis, where sudden jumps in accuracy
 * show up as steps rather than being squeezed into the left edge.
 */
final class TrainingChart {
    private TrainingChart() {
    }

    /** The chart, or null when there is nothing to plot. */
    static JFreeChart draw(GroupSummary group, TrainingCurves curves) {
        if (curves == null || (curves.loss().isEmpty() && curves.valLoss().isEmpty() && curves.idExact().isEmpty())) {
            return null;
        }
        XYSeriesCollection losses = new XYSeriesCollection();
        XYLineAndShapeRenderer lossLines = new XYLineAndShapeRenderer(true, false);
        addSeries(losses, lossLines, "training loss", curves.loss(), 1, 0, ChartStyle.THIN);
        addSeries(losses, lossLines, "validation loss", curves.valLoss(), 1, 5, ChartStyle.SOLID);
        XYSeriesCollection accuracy = new XYSeriesCollection();
        XYLineAndShapeRenderer accuracyLines = new XYLineAndShapeRenderer(true, true);
        addSeries(accuracy, accuracyLines, "ID exact match (%)", curves.idExact(), 100, 2, ChartStyle.SOLID);

        LogAxis lossAxis = new RoundLogAxis("loss (log scale)");
        lossAxis.setSmallestValue(1e-6);
        XYPlot plot = new XYPlot(losses, ChartStyle.stepAxis(), lossAxis, lossLines);
        plot.setRangeAxis(1, ChartStyle.percentAxis("ID exact match (%)"));
        plot.setDataset(1, accuracy);
        plot.setRenderer(1, accuracyLines);
        plot.mapDatasetToRangeAxis(1, 1);
        JFreeChart chart = new JFreeChart(group.name() + ": training" + Charts.seedsNote(curves),
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        return ChartStyle.finish(chart);
    }

    /** Adds the points with positive step (and, on the log loss axis, positive value) scaled by {@code scale}. */
    private static void addSeries(XYSeriesCollection data, XYLineAndShapeRenderer renderer, String name,
                                  NavigableMap<Integer, Double> points, double scale, int colour,
                                  Stroke stroke) {
        XYSeries series = new XYSeries(name);
        for (Map.Entry<Integer, Double> p : points.entrySet()) {
            boolean logValue = scale == 1;
            if (p.getKey() > 0 && (!logValue || p.getValue() > 0)) {
                series.add(p.getKey().doubleValue(), scale * p.getValue());
            }
        }
        if (series.getItemCount() == 0) {
            return;
        }
        int s = data.getSeriesCount();
        data.addSeries(series);
        renderer.setSeriesPaint(s, ChartStyle.colour(colour));
        renderer.setSeriesStroke(s, stroke);
    }
}

package dev.lengthgen.runner.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.TreeSet;

/**
 * Exact match against test length, one line per group (mean over seeds, the min-max range as a band), the theory's
 * prediction as a dashed line in the group's colour, and the trained lengths shaded: the picture of the paper's
 * tables, where outward generalization shows as the line staying up right of the shaded range.
 */
final class AccuracyChart {
    private AccuracyChart() {
    }

    /** The chart, or null when no group has a finished run. */
    static JFreeChart draw(String experiment, List<GroupSummary> groups) {
        List<Integer> lengths = ReportTables.testLengths(groups);
        if (lengths.isEmpty()) {
            return null;
        }
        YIntervalSeriesCollection measured = new YIntervalSeriesCollection();
        XYSeriesCollection theory = new XYSeriesCollection();
        DeviationRenderer lines = new DeviationRenderer(true, true);
        XYLineAndShapeRenderer dashed = new XYLineAndShapeRenderer(true, false);
        TreeSet<Integer> trained = new TreeSet<>();
        for (int g = 0; g < groups.size(); g++) {
            GroupSummary group = groups.get(g);
            if (group.lengths().isEmpty()) {
                continue;
            }
            YIntervalSeries series = new YIntervalSeries(group.name() + seedsNote(group));
            XYSeries predicted = new XYSeries("theory: " + group.name());
            for (LengthSummary l : group.lengths()) {
                series.add(l.digits(), 100 * l.exact().mean(), 100 * l.exact().min(), 100 * l.exact().max());
                if (l.predicted() != null) {
                    predicted.add(l.digits(), 100 * l.predicted());
                }
                if (l.label().equals("id")) {
                    trained.add(l.digits());
                }
            }
            int s = measured.getSeriesCount();
            measured.addSeries(series);
            lines.setSeriesPaint(s, ChartStyle.colour(g));
            lines.setSeriesFillPaint(s, ChartStyle.colour(g));
            lines.setSeriesStroke(s, ChartStyle.SOLID);
            if (predicted.getItemCount() > 0) {
                int t = theory.getSeriesCount();
                theory.addSeries(predicted);
                dashed.setSeriesPaint(t, ChartStyle.colour(g));
                dashed.setSeriesStroke(t, ChartStyle.DASHED);
            }
        }
        lines.setAlpha(0.2f);
        XYPlot plot = new XYPlot(measured, ChartStyle.integerAxis("test length (digits)", lengths.get(0),
                lengths.get(lengths.size() - 1)), ChartStyle.percentAxis("exact match (%)"), lines);
        plot.setDataset(1, theory);
        plot.setRenderer(1, dashed);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        shadeTrained(plot, trained);
        JFreeChart chart = new JFreeChart(experiment + ": exact match by test length", JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        return ChartStyle.finish(chart);
    }

    private static String seedsNote(GroupSummary g) {
        int n = g.finishedRuns().size();
        return n == 1 ? " (1 seed)" : " (" + n + " seeds, range shaded)";
    }

    /** One shaded block per run of consecutive trained lengths (a mix such as {3,5} gives two). */
    private static void shadeTrained(XYPlot plot, TreeSet<Integer> trained) {
        Integer start = null, previous = null;
        for (Integer d : trained) {
            if (start != null && d != previous + 1) {
                addShade(plot, start, previous);
                start = null;
            }
            if (start == null) {
                start = d;
            }
            previous = d;
        }
        if (start != null) {
            addShade(plot, start, previous);
        }
    }

    private static void addShade(XYPlot plot, int from, int to) {
        IntervalMarker marker = new IntervalMarker(from - 0.5, to + 0.5);
        marker.setPaint(ChartStyle.TRAINED_SHADE);
        marker.setLabel("trained");
        marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        marker.setLabelBackgroundColor(new Color(0, 0, 0, 0));
        marker.setLabelAnchor(RectangleAnchor.BOTTOM);
        marker.setLabelTextAnchor(TextAnchor.BOTTOM_CENTER);
        plot.addDomainMarker(marker, Layer.BACKGROUND);
    }
}

package dev.lengthgen.runner.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-place accuracy of one group as a heat map: test length across, answer place up (1 = units), colour = mean
 * accuracy over seeds. With APE addition the theory's signature is a wall: places 1..n right at every length, the
 * places above n wrong once the test numbers are longer than n.
 */
final class PerPlaceHeatMap {
    /** Above this many cells the numbers in the cells would overlap; the colours alone remain. */
    private static final int MAX_ANNOTATED_CELLS = 300;

    private PerPlaceHeatMap() {
    }

    /** The chart, or null when the group has no per-place numbers yet. */
    static JFreeChart draw(GroupSummary group) {
        List<double[]> cells = new ArrayList<>(); // {digits, place, percent}
        int minDigits = Integer.MAX_VALUE, maxDigits = Integer.MIN_VALUE, places = 0;
        for (LengthSummary l : group.lengths()) {
            for (int p = 0; p < l.perPlace().length; p++) {
                if (!Double.isNaN(l.perPlace()[p])) {
                    cells.add(new double[] {l.digits(), p + 1, 100 * l.perPlace()[p]});
                    minDigits = Math.min(minDigits, l.digits());
                    maxDigits = Math.max(maxDigits, l.digits());
                    places = Math.max(places, p + 1);
                }
            }
        }
        if (cells.isEmpty()) {
            return null;
        }
        double[][] xyz = new double[3][cells.size()];
        for (int i = 0; i < cells.size(); i++) {
            for (int k = 0; k < 3; k++) {
                xyz[k][i] = cells.get(i)[k];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("per-place accuracy", xyz);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockWidth(1);
        renderer.setBlockHeight(1);
        renderer.setBlockAnchor(RectangleAnchor.CENTER);
        AccuracyScale scale = new AccuracyScale();
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, ChartStyle.integerAxis("test length (digits)", minDigits, maxDigits),
                ChartStyle.integerAxis("answer place (1 = units)", 1, places), renderer);
        if (cells.size() <= MAX_ANNOTATED_CELLS) {
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, cells.size() <= 120 ? 11 : 9);
            for (double[] c : cells) {
                XYTextAnnotation text = new XYTextAnnotation(String.format(Locale.ROOT, "%.0f", c[2]), c[0], c[1]);
                text.setFont(font);
                text.setPaint(Color.BLACK);
                plot.addAnnotation(text);
            }
        }
        int seeds = group.finishedRuns().size();
        JFreeChart chart = new JFreeChart(group.name() + ": accuracy per answer place (%), mean of " + seeds
                + (seeds == 1 ? " seed" : " seeds"), JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis("accuracy (%)");
        legendAxis.setRange(0, 100);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setStripWidth(14);
        legend.setMargin(new RectangleInsets(10, 10, 10, 10));
        legend.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(legend);
        ChartStyle.finish(chart);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        return chart;
    }

    /** 0% red, 50% pale yellow, 100% green, interpolated (a diverging scale that reads without a legend). */
    static final class AccuracyScale implements PaintScale {
        private static final Color LOW = new Color(244, 109, 67);
        private static final Color MID = new Color(255, 255, 191);
        private static final Color HIGH = new Color(102, 189, 99);

        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 100;
        }

        @Override
        public Paint getPaint(double value) {
            if (Double.isNaN(value)) {
                return Color.LIGHT_GRAY;
            }
            double t = Math.max(0, Math.min(1, value / 100));
            return t < 0.5 ? mix(LOW, MID, t * 2) : mix(MID, HIGH, (t - 0.5) * 2);
        }

        private static Color mix(Color a, Color b, double t) {
            return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
                    (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                    (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
        }
    }
}

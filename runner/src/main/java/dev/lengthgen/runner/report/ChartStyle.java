package dev.lengthgen.runner.report;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** What every chart of the report shares: size, colours, strokes, axes, and rendering to PNG bytes. */
final class ChartStyle {
    static final int WIDTH = 900;
    static final int HEIGHT = 500;

    /**
     * Okabe-Ito's colour-blind-safe colours (less the yellow, too pale on white), then darker extras; a group keeps
     * its colour in every chart.
     */
    private static final Color[] PALETTE = {
            new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
            new Color(230, 159, 0), new Color(86, 180, 233), new Color(0, 0, 0), new Color(140, 86, 75),
            new Color(120, 60, 160), new Color(128, 128, 0), new Color(120, 120, 120), new Color(30, 90, 50)};

    static final Stroke SOLID = new BasicStroke(2f);
    static final Stroke THIN = new BasicStroke(1.2f);
    static final Stroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {7f, 5f}, 0f);
    static final Color TRAINED_SHADE = new Color(120, 160, 220, 60);

    private ChartStyle() {
    }

    static Color colour(int index) {
        return PALETTE[Math.floorMod(index, PALETTE.length)];
    }

    /** White background, light grid, readable fonts. */
    static JFreeChart finish(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        if (chart.getPlot() instanceof XYPlot plot) {
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(new Color(220, 220, 220));
            plot.setRangeGridlinePaint(new Color(220, 220, 220));
            plot.setOutlinePaint(Color.GRAY);
        }
        return chart;
    }

    /** A percentage axis from 0 to 100, with room for lines that sit on 0 or 100. */
    static NumberAxis percentAxis(String label) {
        NumberAxis axis = new NumberAxis(label);
        axis.setRange(-3, 103);
        axis.setTickUnit(new NumberTickUnit(20));
        return axis;
    }

    /** An axis of whole numbers (test lengths, places) with one unit of room on either side. */
    static NumberAxis integerAxis(String label, int from, int to) {
        NumberAxis axis = new NumberAxis(label);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        axis.setRange(from - 0.5, to + 0.5);
        return axis;
    }

    /** A log axis of training steps. */
    static LogAxis stepAxis() {
        LogAxis axis = new RoundLogAxis("step (log scale)");
        axis.setSmallestValue(1);
        return axis;
    }

    static byte[] png(JFreeChart chart) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(bytes, chart, WIDTH, HEIGHT);
        return bytes.toByteArray();
    }
}

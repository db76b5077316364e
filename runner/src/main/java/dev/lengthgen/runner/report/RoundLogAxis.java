package dev.lengthgen.runner.report;

import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.Tick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * A log axis with ticks at round numbers (1, 2, 5 times a power of ten, or only the powers of ten when that would
 * crowd the axis). JFreeChart's own log axis spaces ticks evenly in log space, which labels steps as 158 and 398
 * and losses as 0.0398: correct, but unreadable.
 */
final class RoundLogAxis extends LogAxis {
    private static final int[] MANTISSAS = {1, 2, 5};
    private static final int MAX_TICKS = 12;

    RoundLogAxis(String label) {
        super(label);
    }

    @Override
    protected List<Tick> refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        return ticks(edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER);
    }

    @Override
    protected List<Tick> refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        return ticks(edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT : TextAnchor.CENTER_RIGHT);
    }

    private List<Tick> ticks(TextAnchor anchor) {
        List<BigDecimal> values = roundValues(getLowerBound(), getUpperBound(), MANTISSAS);
        if (values.size() > MAX_TICKS) {
            values = roundValues(getLowerBound(), getUpperBound(), new int[] {1});
        }
        List<Tick> ticks = new ArrayList<>();
        for (BigDecimal v : values) {
            ticks.add(new NumberTick(v.doubleValue(), label(v), anchor, TextAnchor.CENTER, 0));
        }
        return ticks;
    }

    /** m * 10^k for the given mantissas m that lie in [lower, upper], ascending. */
    static List<BigDecimal> roundValues(double lower, double upper, int[] mantissas) {
        List<BigDecimal> out = new ArrayList<>();
        if (!(lower > 0) || !(upper >= lower) || Double.isInfinite(upper)) {
            return out;
        }
        int from = (int) Math.floor(Math.log10(lower));
        int to = (int) Math.ceil(Math.log10(upper));
        for (int k = from; k <= to; k++) {
            for (int m : mantissas) {
                BigDecimal v = BigDecimal.valueOf(m).scaleByPowerOfTen(k);
                double d = v.doubleValue();
                if (d >= lower * (1 - 1e-9) && d <= upper * (1 + 1e-9)) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** "0.05", "1", "2,000". */
    static String label(BigDecimal v) {
        if (v.compareTo(BigDecimal.ONE) >= 0) {
            return new DecimalFormat("#,##0").format(v);
        }
        return v.stripTrailingZeros().toPlainString();
    }
}

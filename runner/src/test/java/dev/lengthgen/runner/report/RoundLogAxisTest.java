package dev.lengthgen.runner.report;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Round tick values of the log axes: steps and losses labelled as people write them. */
class RoundLogAxisTest {

    private static List<String> labels(double lower, double upper, int... mantissas) {
        return RoundLogAxis.roundValues(lower, upper, mantissas).stream().map(RoundLogAxis::label).toList();
    }

    @Test
    void ticksAtOneTwoFiveTimesPowersOfTenWithinTheRange() {
        assertEquals(List.of("50", "100", "200", "500", "1,000", "2,000", "5,000"), labels(25, 6000, 1, 2, 5));
        assertEquals(List.of("0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"), labels(0.018, 2.6, 1, 2, 5));
        assertEquals(List.of("1", "10", "100", "1,000", "10,000"), labels(1, 10_000, 1));
    }

    @Test
    void noTicksForRangesALogAxisCannotShow() {
        assertEquals(List.of(), labels(0, 100, 1, 2, 5));
        assertEquals(List.of(), labels(Double.NaN, 100, 1));
    }

    @Test
    void labelsArePlainNumbers() {
        assertEquals("0.0001", RoundLogAxis.label(BigDecimal.ONE.scaleByPowerOfTen(-4)));
        assertEquals("20,000", RoundLogAxis.label(BigDecimal.valueOf(2).scaleByPowerOfTen(4)));
    }
}

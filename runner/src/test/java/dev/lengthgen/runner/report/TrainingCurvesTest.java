package dev.lengthgen.runner.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Curves averaged over seeds at the steps they share. */
class TrainingCurvesTest {
    @TempDir
    Path tmp;

    private static RunRecord run(String id, List<MetricsPoint> metrics) {
        return new RunRecord(id, new RunLabels(id, "g", "add", null, 10, "ape", 0, "1-2", "1-3"), null, null, metrics,
                null);
    }

    private static MetricsPoint point(int step, Double loss, Double exact) {
        return new MetricsPoint(step, loss, null, exact, Map.of(), Map.of());
    }

    @Test
    void averagesOnlyAtStepsEveryRunLogged() {
        RunRecord a = run("a", List.of(point(1, 4.0, null), point(2, 2.0, 0.5), point(3, 1.0, null)));
        RunRecord b = run("b", List.of(point(2, 3.0, 0.25), point(3, 2.0, null), point(4, 1.0, 1.0)));
        NavigableMap<Integer, Double> loss = TrainingCurves.average(List.of(a, b), MetricsPoint::loss);
        assertEquals(Map.of(2, 2.5, 3, 1.5), loss);
        NavigableMap<Integer, Double> exact = TrainingCurves.average(List.of(a, b), MetricsPoint::exact);
        assertEquals(Map.of(2, 0.375), exact);
    }

    @Test
    void aRunThatNeverLoggedAMetricIsLeftOutOfItsCurve() {
        RunRecord a = run("a", List.of(point(1, 4.0, 0.5)));
        RunRecord old = run("old", List.of(point(1, 2.0, null)));
        assertEquals(Map.of(1, 0.5), TrainingCurves.average(List.of(a, old), MetricsPoint::exact));
    }

    @Test
    void groupCurvesComeFromFinishedSeedsWithLabels() throws Exception {
        ExperimentFixture.write(tmp);
        List<GroupSummary> groups = GroupSummary.of(ExperimentRecord.load(tmp).runs());
        TrainingCurves p101 = TrainingCurves.of(groups.get(1));
        assertEquals(2, p101.seeds(), "the running third seed is left out");
        assertFalse(p101.inProgress());
        assertEquals(0.005, p101.acc().get(3).get(40), 1e-12);
        assertEquals("outward", p101.labels().get(3));
        assertEquals((2.0 + 2.01) / 2, p101.loss().get(1), 1e-12);
        assertTrue(p101.valLoss().containsKey(10) && !p101.valLoss().containsKey(11));
    }
}

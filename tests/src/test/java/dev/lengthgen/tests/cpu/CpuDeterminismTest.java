package dev.lengthgen.tests.cpu;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.Backends;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.tests.ops.CaseRun;
import dev.lengthgen.tests.ops.OpCase;
import dev.lengthgen.tests.ops.OpCatalog;
import dev.lengthgen.tests.ops.ParityCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cpu backend's determinism over the whole op catalog: the same op on the same inputs gives the same bits
 * every time, and (because work is split by fixed blocks and every reduction has a fixed order) the same bits on
 * 1, 2 or 3 threads. Thread counts other than the machine's are also checked against the reference.
 */
class CpuDeterminismTest {

    @Test
    void sameInputsGiveSameBitsOnEveryRun() {
        try (Backend cpu = Backends.open("cpu", null, 2)) {
            for (OpCase c : OpCatalog.all()) {
                Map<String, long[]> first = runBits(c, cpu);
                // the second and third runs also see the JIT's later tiers
                for (int run = 0; run < 2; run++) {
                    assertSameBits(c.id() + " run " + (run + 2), first, runBits(c, cpu));
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Backend one = Backends.open("cpu", null, 1); Backend three = Backends.open("cpu", null, 3)) {
            for (OpCase c : OpCatalog.all()) {
                assertSameBits(c.id() + " 1 vs 3 threads", runBits(c, one), runBits(c, three));
            }
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void matchesTheReferenceOnOtherThreadCounts(int threads) {
        try (Backend cpu = Backends.open("cpu", null, threads); ReferenceBackend reference = new ReferenceBackend()) {
            ParityCheck.Report report = ParityCheck.run(cpu, reference, OpCatalog.all());
            assertTrue(report.failures().isEmpty(), report::failureMessage);
        }
    }

    /** Forward then backward; every output as raw float bits. */
    private static Map<String, long[]> runBits(OpCase c, Backend backend) {
        CaseRun run = c.run(backend, false);
        Map<String, long[]> out = new LinkedHashMap<>();
        run.forward();
        for (String name : c.forwardOutputs()) {
            out.put("forward " + name, bits(run.read(name)));
        }
        if (c.hasBackward()) {
            run.backward();
            for (String name : c.backwardOutputs()) {
                out.put("backward " + name, bits(run.read(name)));
            }
        }
        return out;
    }

    private static long[] bits(double[] values) {
        long[] b = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = Double.doubleToRawLongBits(values[i]);
        }
        return b;
    }

    private static void assertSameBits(String what, Map<String, long[]> want, Map<String, long[]> got) {
        assertEquals(want.keySet(), got.keySet(), what);
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            long[] g = got.get(e.getKey());
            for (int i = 0; i < g.length; i++) {
                if (g[i] != e.getValue()[i]) {
                    differing.add(e.getKey() + "[" + i + "]");
                    break;
                }
            }
        }
        assertTrue(differing.isEmpty(), () -> what + ": bits differ at " + differing);
    }
}

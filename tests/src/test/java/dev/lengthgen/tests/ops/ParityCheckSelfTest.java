package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Ops;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parity harness itself: it passes a correct backend and names the op, output and kind of each planted bug. */
class ParityCheckSelfTest {

    /**
     * The reference against a second reference: every case runs, every output matches exactly, and the catalog calls
     * every method of Ops, so a backend that passes parity implements the whole contract.
     */
    @Test
    void referenceMatchesItselfOnEveryCaseAndEveryOpIsCovered() {
        Set<String> called = new TreeSet<>();
        try (ReferenceBackend reference = new ReferenceBackend(); ReferenceBackend target = new ReferenceBackend()) {
            Backend recording = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[]{Backend.class}, (proxy, method, args) -> {
                        called.add(method.getName());
                        try {
                            return method.invoke(target, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            ParityCheck.Report report = ParityCheck.run(recording, reference, OpCatalog.all());
            assertEquals(List.of(), report.failures());
            for (Comparison c : report.comparisons()) {
                assertEquals(0.0, c.maxAbs(), c.describe());
            }
        }
        Set<String> missing = new TreeSet<>();
        for (Method m : Ops.class.getDeclaredMethods()) {
            if (!called.contains(m.getName())) {
                missing.add(m.getName());
            }
        }
        assertEquals(Set.of(), missing, "ops no catalog case calls");
    }

    /** A backend with four planted bugs: each is reported with the op and output it affects. */
    @Test
    void plantedBugsAreReported() {
        ReferenceBackend inner = new ReferenceBackend();
        ForwardingBackend broken = new ForwardingBackend(inner) {
            @Override
            public void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N,
                                       int C, int OC) {
                zero(dweight); // overwrites instead of accumulating
                super.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
            }

            @Override
            public void dropoutForward(View out, View inp, float p, DropoutKey key, int N) {
                super.dropoutForward(out, inp, p, DropoutKey.of(key.seed(), key.step(), key.tensor() + 1), N);
            }

            @Override
            public void geluForward(View out, View inp, int N) {
                super.geluForward(out, inp, N);
                ReferenceBackend.doubles(out)[(int) (out.offset() + out.length())] = 1; // one past the end
            }

            @Override
            public void argmax(View out, View logits, int N, int V) {
                throw new UnsupportedOperationException("argmax not implemented yet");
            }
        };
        try (ReferenceBackend reference = new ReferenceBackend()) {
            ParityCheck.Report report = ParityCheck.run(broken, reference, OpCatalog.at(Shape.SMALL));
            System.out.println("planted bugs, as a backend engineer would see them: " + report.failureMessage());
            String all = String.join("\n", report.failures());
            assertTrue(all.contains("matmul[bias] small backward dweight["), all);
            assertTrue(all.contains("dropout[p=0.2] small forward out["), all);
            assertTrue(all.contains("gelu small forward: wrote 1.0 into the F32 guard element"), all);
            assertTrue(all.contains("argmax[ties] small forward: threw "
                    + UnsupportedOperationException.class.getName()), all);
            assertTrue(!all.contains("dropout[p=0.0]"), "p = 0 keeps everything whatever the key: " + all);
            assertTrue(!all.contains("matmul[bias] small backward dinp"), all);
        }
    }
}

package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.Backends;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.Ops;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.tests.opencl.OpenClAvailability;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every backend rejects the same bad op calls with the same message: each checks its arguments with
 * {@link dev.lengthgen.engine.OpArguments} before anything else. Bad calls are made from every case of the op
 * catalog by handing one tensor argument over too short, of the wrong element type or as null, and from a list of
 * bad dimensions and scalars. A bad tensor (too short, wrong type) must be rejected; a null may be accepted where the
 * op's contract allows it, but then by every backend.
 */
class ArgumentCheckParityTest {
    /** What is wrong with the tensor handed over. */
    private enum Fault {
        SHORT, WRONG_TYPE, NULL
    }

    private static final String ACCEPTED = "(accepted)";

    /**
     * Tensors whose length and type the op may not reject, by its contract: posIds when there is no position table
     * (ignored), and zero's destination (any view is zeroed as it is).
     */
    private static final List<String> ANY_VIEW = List.of("encoder posIds", "zero dst");

    private static final List<Backend> BACKENDS = new ArrayList<>();

    @BeforeAll
    static void openBackends() {
        BACKENDS.add(new ReferenceBackend());
        BACKENDS.add(Backends.open("cpu", null, 2));
        try {
            BACKENDS.add(Backends.open("opencl", OpenClAvailability.deviceSpec(), 0));
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv("LENGTHGEN_REQUIRE_OPENCL"))) {
                fail("the opencl backend is unavailable: " + e.getMessage() + " (LENGTHGEN_REQUIRE_OPENCL=1)");
            }
            System.out.println("argument checks: opencl left out, it is unavailable here: " + e.getMessage());
        }
    }

    @AfterAll
    static void closeBackends() {
        BACKENDS.forEach(Backend::close);
        BACKENDS.clear();
        WRONG_TYPES.clear();
    }

    @Test
    void everyBackendRejectsTheSameBadTensorWithTheSameMessage() {
        List<String> failures = new ArrayList<>();
        int calls = 0, rejected = 0;
        for (OpCase c : OpCatalog.at(Shape.SMALL)) {
            Map<Backend, CaseRun> runs = new LinkedHashMap<>();
            for (Backend b : BACKENDS) {
                runs.put(b, c.run(b, false));
            }
            CaseRun probe = runs.values().iterator().next();
            probe.clearAsked();
            probe.forward();
            List<String> forwardTensors = probe.asked();
            for (CaseRun r : runs.values()) {
                if (r != probe) {
                    r.forward();
                }
            }
            List<String> backwardTensors = List.of();
            if (c.hasBackward()) {
                probe.clearAsked();
                probe.backward();
                backwardTensors = probe.asked();
            }
            for (boolean backward : new boolean[] {false, true}) {
                for (String tensor : backward ? backwardTensors : forwardTensors) {
                    for (Fault fault : Fault.values()) {
                        Map<String, String> outcomes = new LinkedHashMap<>();
                        for (Map.Entry<Backend, CaseRun> e : runs.entrySet()) {
                            outcomes.put(e.getKey().name(), outcome(e.getKey(), e.getValue(), backward, tensor,
                                    fault));
                        }
                        calls++;
                        String what = c.id() + (backward ? " backward" : " forward") + ", " + tensor + " "
                                + fault.name().toLowerCase().replace('_', ' ');
                        String first = outcomes.values().iterator().next();
                        if (outcomes.values().stream().distinct().count() > 1) {
                            failures.add(what + ": " + outcomes);
                        } else if (first.equals(ACCEPTED) && fault != Fault.NULL
                                && !ANY_VIEW.contains(c.op() + " " + tensor)) {
                            failures.add(what + ": accepted by every backend");
                        } else if (!first.equals(ACCEPTED)) {
                            rejected++;
                        }
                    }
                }
            }
        }
        System.out.printf("argument checks: %d bad tensor arguments, %d rejected, by %s alike%n", calls, rejected,
                BACKENDS.stream().map(Backend::name).toList());
        if (!failures.isEmpty()) {
            fail(failures.size() + " bad call(s) treated differently:\n  " + String.join("\n  ", failures));
        }
        assertTrue(rejected > 100, "the catalog's cases give more than a hundred bad calls, got " + rejected);
    }

    /** The message a backend rejects the call with, or {@link #ACCEPTED}; the tensor is restored afterwards. */
    private static String outcome(Backend backend, CaseRun run, boolean backward, String tensor, Fault fault) {
        View good = run.v(tensor);
        View bad = switch (fault) {
            case SHORT -> good.slice(0, good.length() - 1);
            case WRONG_TYPE -> otherType(backend, good);
            case NULL -> null;
        };
        run.substitute(tensor, bad);
        try {
            if (backward) {
                run.backward();
            } else {
                run.forward();
            }
            return ACCEPTED;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } finally {
            run.substitute(tensor, good);
        }
    }

    private static final Map<String, View> WRONG_TYPES = new HashMap<>();

    /** A view as long as {@code v} of the other element type, on the same backend. */
    private static View otherType(Backend backend, View v) {
        DType other = v.type() == DType.F32 ? DType.I32 : DType.F32;
        return WRONG_TYPES.computeIfAbsent(backend.name() + " " + other + " " + v.length(),
                k -> backend.allocate(other, v.length(), "wrong type").view());
    }

    /** A bad dimension or scalar, on views that are large enough for everything else. */
    private record BadCall(String what, Consumer<Tensors> call) {
    }

    /** Plenty of F32 and I32 elements on one backend. */
    private record Tensors(Ops ops, View f, View i) {
        static Tensors on(Backend b) {
            Memory f = b.allocate(DType.F32, 1 << 12, "f32");
            Memory i = b.allocate(DType.I32, 1 << 10, "i32");
            return new Tensors(b, f.view(), i.view());
        }
    }

    @Test
    void everyBackendRejectsTheSameBadDimensionWithTheSameMessage() {
        DropoutKey key = DropoutKey.of(1, 1, 0);
        List<BadCall> calls = List.of(
                new BadCall("encoder without channels", t -> t.ops().encoderForward(t.f(), t.i(), t.i(), t.f(),
                        null, 4, 0)),
                new BadCall("layernorm of -1 rows", t -> t.ops().layernormForward(t.f(), t.f(), t.f(), t.f(), t.f(),
                        null, -1, 8)),
                new BadCall("matmul to no outputs", t -> t.ops().matmulForward(t.f(), t.f(), t.f(), null, 4, 8, 0)),
                new BadCall("heads that do not divide", t -> t.ops().attentionForward(t.f(), t.f(), t.f(), t.f(),
                        null, 1, 2, 6, 4)),
                new BadCall("no heads", t -> t.ops().attentionBackward(t.f(), t.f(), t.f(), null, t.f(), t.f(),
                        t.f(), 1, 2, 6, 0)),
                new BadCall("attention over no positions", t -> t.ops().attentionForward(t.f(), t.f(), t.f(), t.f(),
                        null, 1, 0, 6, 2)),
                new BadCall("odd rotary head", t -> t.ops().rotaryForward(t.f(), t.f(), t.i(), 10000f, 1, 2, 6, 2)),
                new BadCall("rotary base 0", t -> t.ops().rotaryBackward(t.f(), t.f(), t.i(), 0f, 1, 2, 8, 2)),
                new BadCall("infinite rotary base", t -> t.ops().rotaryForward(t.f(), t.f(), t.i(),
                        Float.POSITIVE_INFINITY, 1, 2, 8, 2)),
                new BadCall("no buckets", t -> t.ops().bucketBiasForward(t.f(), t.f(), t.i(), 2, 4, 0)),
                new BadCall("dropout p = 1", t -> t.ops().dropoutForward(t.f(), t.f(), 1f, key, 8)),
                new BadCall("dropout p < 0", t -> t.ops().dropoutBackward(t.f(), t.f(), -0.1f, key, 8)),
                new BadCall("dropout without a key", t -> t.ops().dropoutForward(t.f(), t.f(), 0.1f, null, 8)),
                new BadCall("gelu of -3 elements", t -> t.ops().geluForward(t.f(), t.f(), -3)),
                new BadCall("cross-entropy over no classes", t -> t.ops().crossEntropyForward(t.f(), null, t.f(),
                        t.i(), t.f(), 1f, 4, 0)),
                new BadCall("argmax over no classes", t -> t.ops().argmax(t.i(), t.f(), 4, 0)),
                new BadCall("sum of -1 elements", t -> t.ops().sum(t.f(), t.f(), -1)),
                new BadCall("adamw step 0", t -> t.ops().adamw(t.f(), t.f(), t.f(), t.f(), t.f(), 1f, 1e-3f, 0.9f,
                        0.99f, 1e-8f, 0f, 0, 8)),
                new BadCall("adamw clipping without a norm", t -> t.ops().adamw(t.f(), t.f(), t.f(), t.f(), null,
                        1f, 1e-3f, 0.9f, 0.99f, 1e-8f, 0f, 1, 8)),
                new BadCall("kv cache overrun", t -> t.ops().kvCacheStore(t.f(), t.f(), t.f(), 1, 2, 8, 2, 4, 3)),
                new BadCall("decode past the cache", t -> t.ops().attentionDecode(t.f(), t.f(), t.f(), t.f(), null,
                        1, 8, 2, 4, 4)),
                new BadCall("copy between types", t -> t.ops().copy(t.f().slice(0, 8), t.i().slice(0, 8))),
                new BadCall("copy between lengths", t -> t.ops().copy(t.f().slice(0, 8), t.f().slice(8, 9))),
                new BadCall("zero of nothing", t -> t.ops().zero(null)));
        Map<Backend, Tensors> tensors = new LinkedHashMap<>();
        BACKENDS.forEach(b -> tensors.put(b, Tensors.on(b)));
        List<String> failures = new ArrayList<>();
        for (BadCall call : calls) {
            Map<String, String> outcomes = new LinkedHashMap<>();
            tensors.forEach((b, t) -> {
                try {
                    call.call().accept(t);
                    b.finish();
                    outcomes.put(b.name(), ACCEPTED);
                } catch (IllegalArgumentException e) {
                    outcomes.put(b.name(), e.getMessage());
                }
            });
            if (outcomes.values().stream().distinct().count() > 1 || outcomes.containsValue(ACCEPTED)) {
                failures.add(call.what() + ": " + outcomes);
            } else {
                System.out.println("argument checks: " + call.what() + ": " + outcomes.values().iterator().next());
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " bad call(s) not rejected alike:\n  " + String.join("\n  ", failures));
        }
    }
}

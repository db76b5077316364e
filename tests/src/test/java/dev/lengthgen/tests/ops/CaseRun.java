package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.tests.ops.TensorSpec.Role;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * An op case placed on a backend. All F32 tensors share one allocation and all I32 tensors another, as a model's
 * flat buffers do, each tensor at an odd offset behind a guard band of sentinel values: ops must honour view offsets,
 * and {@link #guardViolation()} catches writes outside a view.
 */
public final class CaseRun {
    static final int GUARD = 5;
    private static final float F32_SENTINEL = -7777.25f;
    private static final int I32_SENTINEL = -7777;

    private final OpCase opCase;
    private final Backend backend;
    private final Memory f32;
    private final Memory i32;
    private final float[] f32Initial;
    private final int[] i32Initial;
    private final Map<String, View> views = new HashMap<>();
    /** Views (or null) handed to the op instead of a tensor's own: see {@link #substitute}. */
    private final Map<String, View> substitutes = new HashMap<>();
    /** The tensors the op steps asked for, in order. */
    private final Set<String> asked = new LinkedHashSet<>();

    CaseRun(OpCase opCase, Backend backend, boolean zeroGradients) {
        this.opCase = opCase;
        this.backend = backend;
        long f32Length = GUARD, i32Length = GUARD;
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (TensorSpec t : opCase.tensors()) {
            if (t.type() == DType.F32) {
                offsets.put(t.name(), f32Length);
                f32Length += t.length() + GUARD;
            } else {
                offsets.put(t.name(), i32Length);
                i32Length += t.length() + GUARD;
            }
        }
        f32Initial = new float[(int) f32Length];
        i32Initial = new int[(int) i32Length];
        Arrays.fill(f32Initial, F32_SENTINEL);
        Arrays.fill(i32Initial, I32_SENTINEL);
        for (TensorSpec t : opCase.tensors()) {
            int offset = offsets.get(t.name()).intValue();
            Random rng = new Random(t.seedFor(opCase.seed()));
            if (t.type() == DType.F32) {
                float[] data = new float[t.length()];
                initial(t, zeroGradients).fill(rng, data, null);
                System.arraycopy(data, 0, f32Initial, offset, data.length);
            } else {
                int[] data = new int[t.length()];
                if (t.fill() != null) {
                    t.fill().fill(rng, null, data);
                } else {
                    TensorSpec.Fill.ints(1 << 20).fill(rng, null, data); // garbage for an int output
                }
                System.arraycopy(data, 0, i32Initial, offset, data.length);
            }
        }
        this.f32 = backend.allocate(DType.F32, f32Length, opCase.op() + ".f32");
        this.i32 = backend.allocate(DType.I32, i32Length, opCase.op() + ".i32");
        backend.upload(f32.view(), f32Initial);
        backend.upload(i32.view(), i32Initial);
        for (TensorSpec t : opCase.tensors()) {
            Memory m = t.type() == DType.F32 ? f32 : i32;
            views.put(t.name(), m.view(offsets.get(t.name()), t.length()));
        }
    }

    /** Outputs and scratch start as garbage, so an op that reads before writing or leaves entries unwritten fails. */
    private static TensorSpec.Fill initial(TensorSpec t, boolean zeroGradients) {
        switch (t.role()) {
            case INPUT:
            case INOUT:
                return t.fill();
            case GRADIENT:
                return zeroGradients ? TensorSpec.Fill.constant(0f) : TensorSpec.Fill.normal(0, 1);
            default:
                return TensorSpec.Fill.normal(0, 10);
        }
    }

    public OpCase opCase() {
        return opCase;
    }

    public Backend backend() {
        return backend;
    }

    /** The view of a tensor of this case (or its substitute). */
    public View v(String name) {
        asked.add(name);
        if (substitutes.containsKey(name)) {
            return substitutes.get(name);
        }
        View v = views.get(name);
        if (v == null) {
            throw new IllegalArgumentException(opCase.id() + " has no tensor named " + name);
        }
        return v;
    }

    public void forward() {
        opCase.runForward(backend, this);
        backend.finish();
    }

    public void backward() {
        opCase.runBackward(backend, this);
        backend.finish();
    }

    /**
     * From now on the op steps get {@code replacement} (which may be null, or a view of another allocation) where
     * they ask for tensor {@code name}: a way to make a bad call out of a good one.
     */
    public void substitute(String name, View replacement) {
        v(name);
        substitutes.put(name, replacement);
    }

    /** The names of the tensors the op steps have asked for so far, in order. */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    /** Forgets which tensors were asked for. */
    public void clearAsked() {
        asked.clear();
    }

    /** Downloads one tensor as doubles (I32 values converted exactly). */
    public double[] read(String name) {
        View v = v(name);
        double[] out = new double[(int) v.length()];
        if (v.type() == DType.F32) {
            float[] f = new float[out.length];
            backend.download(v, f);
            for (int k = 0; k < f.length; k++) {
                out[k] = f[k];
            }
        } else {
            int[] i = new int[out.length];
            backend.download(v, i);
            for (int k = 0; k < i.length; k++) {
                out[k] = i[k];
            }
        }
        return out;
    }

    public Map<String, double[]> read(List<String> names) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, read(n));
        }
        return out;
    }

    /** The initial (uploaded) contents of a tensor, as doubles. */
    public double[] initial(String name) {
        View v = v(name);
        double[] out = new double[(int) v.length()];
        for (int k = 0; k < out.length; k++) {
            out[k] = v.type() == DType.F32 ? f32Initial[(int) v.offset() + k] : i32Initial[(int) v.offset() + k];
        }
        return out;
    }

    /** Null when every guard element still holds its sentinel, else which tensor's neighbourhood was written. */
    public String guardViolation() {
        float[] f = new float[(int) f32.length()];
        backend.download(f32.view(), f);
        int[] i = new int[(int) i32.length()];
        backend.download(i32.view(), i);
        for (int k = 0; k < f.length; k++) {
            if (f32Initial[k] == F32_SENTINEL && Float.floatToRawIntBits(f[k]) != Float.floatToRawIntBits(F32_SENTINEL)
                    && !insideAnyView(f32, k)) {
                return "wrote " + f[k] + " into the F32 guard element " + k + " " + neighbourhood(f32, k);
            }
        }
        for (int k = 0; k < i.length; k++) {
            if (i32Initial[k] == I32_SENTINEL && i[k] != I32_SENTINEL && !insideAnyView(i32, k)) {
                return "wrote " + i[k] + " into the I32 guard element " + k + " " + neighbourhood(i32, k);
            }
        }
        return null;
    }

    private boolean insideAnyView(Memory m, long k) {
        for (View v : views.values()) {
            if (v.memory() == m && k >= v.offset() && k < v.offset() + v.length()) {
                return true;
            }
        }
        return false;
    }

    private String neighbourhood(Memory m, long k) {
        String before = null, after = null;
        long beforeEnd = -1, afterStart = Long.MAX_VALUE;
        for (Map.Entry<String, View> e : views.entrySet()) {
            View v = e.getValue();
            if (v.memory() != m) {
                continue;
            }
            if (v.offset() + v.length() <= k && v.offset() + v.length() > beforeEnd) {
                beforeEnd = v.offset() + v.length();
                before = e.getKey();
            }
            if (v.offset() > k && v.offset() < afterStart) {
                afterStart = v.offset();
                after = e.getKey();
            }
        }
        return "(after the end of " + (before == null ? "nothing" : before) + ", before the start of "
                + (after == null ? "nothing" : after) + ")";
    }

    /** Whether a tensor is compared after forward, after backward, or never. */
    Role role(String name) {
        return opCase.tensor(name).role();
    }
}

package dev.lengthgen.tests.ops;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Ops;
import dev.lengthgen.tests.ops.TensorSpec.Fill;
import dev.lengthgen.tests.ops.TensorSpec.Role;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One op (a forward and, where it has one, a backward) at one shape with seeded inputs: the unit of the op test
 * catalog. The same case serves the finite-difference gradient check on the reference backend and the parity check
 * of any backend against the reference; {@link #run(Backend, boolean)} places it on a backend.
 */
public final class OpCase {

    /** Calls the op(s) under test on the views of a run. */
    @FunctionalInterface
    public interface Step {
        void run(Ops ops, CaseRun t);
    }

    /**
     * For gradient checks: {@code gradient} (filled by the backward op, or by the forward op for the fused loss) must
     * equal dL/d{@code input} for L = sum(output * weights), where {@code weights} is the upstream gradient the
     * backward op was given.
     */
    public record Differentiation(String output, String weights, String input, String gradient) {
    }

    private final String op;
    private final String variant;
    private final Shape shape;
    private final List<TensorSpec> tensors;
    private final Step forward;
    private final Step backward;
    private final Tolerance tolerance;
    private final Map<String, Tolerance> outputTolerances;
    private final List<Differentiation> differentiations;
    private final Tolerance gradientCheckTolerance;

    private OpCase(Builder b) {
        this.op = b.op;
        this.variant = b.variant;
        this.shape = b.shape;
        this.tensors = List.copyOf(b.tensors.values());
        this.forward = b.forward;
        this.backward = b.backward;
        this.tolerance = b.tolerance;
        this.outputTolerances = Collections.unmodifiableMap(new LinkedHashMap<>(b.outputTolerances));
        this.differentiations = List.copyOf(b.differentiations);
        this.gradientCheckTolerance = b.gradientCheckTolerance;
        if (forward == null || tolerance == null) {
            throw new IllegalStateException(id() + ": a case needs a forward step and a tolerance");
        }
    }

    /** The op family, e.g. "matmul": the unit of the per-op summary. */
    public String op() {
        return op;
    }

    public String variant() {
        return variant;
    }

    public Shape shape() {
        return shape;
    }

    /** e.g. "matmul[bias] small". */
    public String id() {
        return op + (variant.isEmpty() ? "" : "[" + variant + "]") + " " + shape.label();
    }

    public List<TensorSpec> tensors() {
        return tensors;
    }

    public TensorSpec tensor(String name) {
        for (TensorSpec t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(id() + " has no tensor named " + name);
    }

    public boolean hasBackward() {
        return backward != null;
    }

    /** Names of the tensors compared after the forward op (OUTPUT and INOUT). */
    public List<String> forwardOutputs() {
        return namesWithRole(Role.OUTPUT, Role.INOUT);
    }

    /** Names of the tensors compared after the backward op (GRADIENT). */
    public List<String> backwardOutputs() {
        return namesWithRole(Role.GRADIENT);
    }

    private List<String> namesWithRole(Role... roles) {
        List<String> names = new ArrayList<>();
        for (TensorSpec t : tensors) {
            for (Role r : roles) {
                if (t.role() == r) {
                    names.add(t.name());
                }
            }
        }
        return names;
    }

    /** The allowed difference of an fp32 backend from the reference for this output. */
    public Tolerance tolerance(String output) {
        return outputTolerances.getOrDefault(output, tensor(output).type() == DType.I32 ? Tolerance.EXACT : tolerance);
    }

    public List<Differentiation> differentiations() {
        return differentiations;
    }

    /** Analytic vs central finite differences, both in double precision on the reference backend. */
    public Tolerance gradientCheckTolerance() {
        return gradientCheckTolerance;
    }

    /** The seed all of this case's initial contents derive from: a function of the id, so runs are repeatable. */
    public long seed() {
        return id().hashCode();
    }

    /**
     * Allocates and fills this case's tensors on the backend.
     *
     * @param zeroGradients true for gradient checks (the backward result is then the gradient itself), false for
     *                      parity (random starting gradients prove that backends accumulate)
     */
    public CaseRun run(Backend backend, boolean zeroGradients) {
        return new CaseRun(this, backend, zeroGradients);
    }

    void runForward(Ops ops, CaseRun t) {
        forward.run(ops, t);
    }

    void runBackward(Ops ops, CaseRun t) {
        if (backward != null) {
            backward.run(ops, t);
        }
    }

    @Override
    public String toString() {
        return id();
    }

    public static Builder builder(String op, String variant, Shape shape) {
        return new Builder(op, variant, shape);
    }

    /** Declares a case's tensors in the order they are laid out, then its steps and tolerances. */
    public static final class Builder {
        private final String op;
        private final String variant;
        private final Shape shape;
        private final Map<String, TensorSpec> tensors = new LinkedHashMap<>();
        private Step forward;
        private Step backward;
        private Tolerance tolerance;
        private final Map<String, Tolerance> outputTolerances = new LinkedHashMap<>();
        private final List<Differentiation> differentiations = new ArrayList<>();
        private Tolerance gradientCheckTolerance = new Tolerance(1e-6, 1e-9);

        private Builder(String op, String variant, Shape shape) {
            this.op = op;
            this.variant = variant;
            this.shape = shape;
        }

        private Builder add(String name, DType type, long length, Role role, Fill fill) {
            if (length <= 0 || length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": tensor " + name + " has length " + length);
            }
            if (tensors.put(name, new TensorSpec(name, type, (int) length, role, fill)) != null) {
                throw new IllegalArgumentException(op + ": tensor " + name + " declared twice");
            }
            return this;
        }

        public Builder input(String name, long length, Fill fill) {
            return add(name, DType.F32, length, Role.INPUT, fill);
        }

        public Builder intInput(String name, long length, Fill fill) {
            return add(name, DType.I32, length, Role.INPUT, fill);
        }

        public Builder inout(String name, long length, Fill fill) {
            return add(name, DType.F32, length, Role.INOUT, fill);
        }

        public Builder intInout(String name, long length, Fill fill) {
            return add(name, DType.I32, length, Role.INOUT, fill);
        }

        public Builder output(String name, long length) {
            return add(name, DType.F32, length, Role.OUTPUT, null);
        }

        public Builder intOutput(String name, long length) {
            return add(name, DType.I32, length, Role.OUTPUT, null);
        }

        public Builder gradient(String name, long length) {
            return add(name, DType.F32, length, Role.GRADIENT, null);
        }

        public Builder scratch(String name, long length) {
            return add(name, DType.F32, length, Role.SCRATCH, null);
        }

        public Builder forward(Step step) {
            this.forward = step;
            return this;
        }

        public Builder backward(Step step) {
            this.backward = step;
            return this;
        }

        /** The fp32-vs-reference tolerance of every output without an override. */
        public Builder tolerance(Tolerance t) {
            this.tolerance = t;
            return this;
        }

        public Builder tolerance(String output, Tolerance t) {
            outputTolerances.put(output, t);
            return this;
        }

        public Builder gradientCheckTolerance(Tolerance t) {
            this.gradientCheckTolerance = t;
            return this;
        }

        /** Declares that {@code gradient} = d sum(output * weights) / d input; see {@link Differentiation}. */
        public Builder differentiates(String output, String weights, String input, String gradient) {
            for (String n : List.of(output, weights, input, gradient)) {
                if (!tensors.containsKey(n)) {
                    throw new IllegalArgumentException(op + ": differentiation names unknown tensor " + n);
                }
            }
            differentiations.add(new Differentiation(output, weights, input, gradient));
            return this;
        }

        public OpCase build() {
            return new OpCase(this);
        }
    }
}

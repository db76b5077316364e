package dev.lengthgen.engine.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The kernel sources, one per op family: kernels-opencl resources dev/lengthgen/kernels/NAME.cl, NAME the constant
 * in lower case. Every family is compiled with {@link #COMMON} in front; COMMON alone builds the kernels it defines
 * itself. Each family has one launcher class in this package (matmul.cl: {@link MatmulKernels}, and so on).
 */
public enum KernelFamily {
    COMMON, ENCODER, LAYERNORM, MATMUL, ATTENTION, POSITION, ELEMENTWISE, LOSS, OPTIMIZER, DECODE;

    /** Where the sources live on the class path. */
    public static final String RESOURCE_DIR = "dev/lengthgen/kernels/";

    /** The file name without ".cl", e.g. "matmul". */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The class-path resource of the source, e.g. "dev/lengthgen/kernels/matmul.cl". */
    public String resource() {
        return RESOURCE_DIR + fileName() + ".cl";
    }

    /** The text of this family's source file alone (without the common prelude). */
    public String source() {
        String path = resource();
        try (InputStream in = KernelFamily.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + path + " is not on the class path "
                        + "(the kernels-opencl module is missing from this build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    /**
     * The sources a build of this family compiles, in order: common.cl, then the family's own file (COMMON alone
     * for itself).
     */
    public KernelFamily[] buildSources() {
        return this == COMMON ? new KernelFamily[] {COMMON} : new KernelFamily[] {COMMON, this};
    }

    /**
     * The program text a build compiles: {@link #buildSources()} one after the other, each preceded by a #line
     * directive naming it, so that a compiler's messages point at "matmul.cl:42" rather than at a line of the
     * concatenation.
     */
    public String programSource() {
        StringBuilder b = new StringBuilder();
        for (KernelFamily f : buildSources()) {
            b.append(lineDirective(f.fileName())).append(f.source()).append('\n');
        }
        return b.toString();
    }

    static String lineDirective(String fileName) {
        return "#line 1 \"" + fileName + ".cl\"\n";
    }
}

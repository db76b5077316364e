package dev.lengthgen.engine;

/**
 * One allocation owned by a backend (a Java array, an OpenCL cl_mem, ...). Models allocate a handful of these once
 * (parameters, gradients, moments, activations) and address tensors inside them through {@link View}s, as llm.c does.
 */
public interface Memory {
    DType type();

    /** Number of elements. */
    long length();

    /** A label for messages and profiles, e.g. "params". */
    String label();

    default View view() {
        return new View(this, 0, length());
    }

    default View view(long offset, long length) {
        return new View(this, offset, length);
    }
}

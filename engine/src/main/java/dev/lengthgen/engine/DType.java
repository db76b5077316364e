package dev.lengthgen.engine;

/** Element type of a device buffer. Everything numeric is fp32; token ids, targets and position ids are int32. */
public enum DType {
    F32(4),
    I32(4);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }
}

package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;

/** A cpu allocation: a float[] for F32 tensors, an int[] for I32. Views address it by element offset. */
public final class CpuMemory implements Memory {
    private final DType type;
    private final String label;
    final float[] f;
    final int[] i;

    CpuMemory(DType type, long length, String label) {
        if (length > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(label + ": " + length + " elements is more than one Java array holds;"
                    + " use a smaller batch or model");
        }
        this.type = type;
        this.label = label;
        this.f = type == DType.F32 ? new float[(int) length] : null;
        this.i = type == DType.I32 ? new int[(int) length] : null;
    }

    @Override
    public DType type() {
        return type;
    }

    @Override
    public long length() {
        return type == DType.F32 ? f.length : i.length;
    }

    @Override
    public String label() {
        return label;
    }
}

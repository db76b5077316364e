package dev.lengthgen.model.layout;

import java.util.Arrays;

/**
 * One named tensor inside a flat buffer: its shape, its element offset, and whether AdamW decays it (matrices only).
 */
public record TensorSpec(String name, int[] shape, long offset, boolean decay) {

    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + "@" + offset;
    }
}

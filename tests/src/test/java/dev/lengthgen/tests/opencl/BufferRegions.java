package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.View;
import dev.lengthgen.model.layout.Activations;
import dev.lengthgen.model.layout.ParameterLayout;
import dev.lengthgen.model.layout.TensorSpec;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Names the tensor an element of a flat model buffer belongs to ("layer1.qkv[17]" rather than
 * "activations[93681]"), for reports that point at a place in a training step.
 */
final class BufferRegions {
    private record Region(String name, long offset, long length) {
    }

    private final List<Region> regions;

    private BufferRegions(List<Region> regions) {
        this.regions = regions;
    }

    /** Regions of a buffer with the parameter layout (params, grads, AdamW moments). */
    static BufferRegions of(ParameterLayout layout) {
        List<Region> out = new ArrayList<>();
        for (TensorSpec t : layout.tensors()) {
            out.add(new Region(t.name(), t.offset(), t.size()));
        }
        return new BufferRegions(out);
    }

    /** Regions of an activation buffer: every View field of Activations and of each layer (null: not in use). */
    static BufferRegions of(Activations a) {
        List<Region> out = new ArrayList<>();
        addViews(out, "", a);
        for (int l = 0; l < a.layers.length; l++) {
            addViews(out, "layer" + l + ".", a.layers[l]);
        }
        return new BufferRegions(out);
    }

    private static void addViews(List<Region> out, String prefix, Object holder) {
        for (Field f : holder.getClass().getFields()) {
            if (f.getType() == View.class) {
                try {
                    View v = (View) f.get(holder);
                    if (v != null && out.stream().noneMatch(r -> r.offset() == v.offset() && r.length() == v.length())) {
                        out.add(new Region(prefix + f.getName(), v.offset(), v.length()));
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** "tensor[i]" for element {@code index}, or "[index]" outside every known tensor. */
    String name(long index) {
        for (Region r : regions) {
            if (index >= r.offset() && index < r.offset() + r.length()) {
                return r.name() + "[" + (index - r.offset()) + "]";
            }
        }
        return "[" + index + "]";
    }
}

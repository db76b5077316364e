package dev.lengthgen.model.layout;

import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The view of every tensor of a {@link ParameterLayout} inside one buffer with that layout (parameters, gradients,
 * moments), made once: task bodies run every step and look views up here instead of building them anew.
 */
public final class TensorViews {
    private final Map<TensorSpec, View> views = new IdentityHashMap<>();

    public TensorViews(Memory buffer, ParameterLayout layout) {
        for (TensorSpec t : layout.tensors()) {
            views.put(t, buffer.view(t.offset(), t.size()));
        }
    }

    /** The tensor's view, or null for an absent tensor (a bias the config does not have). */
    public View of(TensorSpec t) {
        return t == null ? null : views.get(t);
    }
}

package dev.lengthgen.model;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.layout.Activations;
import dev.lengthgen.model.layout.ParameterLayout;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes a run will allocate, computed before allocating anything and checked against the backend's limits, so
 * that a model that does not fit fails at once with what to reduce instead of part-way through.
 */
public final class MemoryPlan {
    private final Map<String, Long> bytesByBuffer = new LinkedHashMap<>();

    private MemoryPlan() {
    }

    public static MemoryPlan parametersOnly(GptConfig c, ParameterLayout layout) {
        MemoryPlan p = new MemoryPlan();
        p.bytesByBuffer.put("params", 4 * layout.total());
        return p;
    }

    /** Parameters, gradients, both AdamW moments, and activations with their gradients at (B, T). */
    public static MemoryPlan training(GptConfig c, int B, int T) {
        ParameterLayout layout = new ParameterLayout(c);
        MemoryPlan p = parametersOnly(c, layout);
        p.bytesByBuffer.put("grads", 4 * layout.total());
        p.bytesByBuffer.put("adam.m", 4 * layout.total());
        p.bytesByBuffer.put("adam.v", 4 * layout.total());
        long acts = 4 * Activations.elements(c, B, T, c.dropout() > 0);
        p.bytesByBuffer.put("activations", acts);
        p.bytesByBuffer.put("activation grads", acts);
        return p;
    }

    /** Adds a decoder's buffers (prefill activations, one-token activations and the KV cache). */
    public MemoryPlan withDecoder(GptConfig c, int B, int promptT, int maxT) {
        bytesByBuffer.put("decode activations", 4 * (Activations.elements(c, B, promptT, false)
                + Activations.elements(c, B, 1, false)));
        bytesByBuffer.put("kv cache", 4 * KvCache.elements(c, B, maxT));
        return this;
    }

    public long totalBytes() {
        return bytesByBuffer.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> buffers() {
        return bytesByBuffer;
    }

    /** Throws with a message that names the bytes needed and what to reduce when the plan does not fit. */
    public void check(Backend backend) {
        long maxAlloc = backend.maxAllocationBytes();
        for (Map.Entry<String, Long> e : bytesByBuffer.entrySet()) {
            if (e.getValue() > maxAlloc) {
                throw new IllegalArgumentException(String.format(
                        "the %s buffer needs %,d bytes but %s allows at most %,d in one allocation: reduce --batch, "
                                + "--context or the model size", e.getKey(), e.getValue(), backend.name(), maxAlloc));
            }
        }
        long total = totalBytes();
        if (total > backend.totalMemoryBytes()) {
            throw new IllegalArgumentException(String.format(
                    "this run needs %,d bytes but %s has %,d: reduce --batch, --context or the model size",
                    total, backend.name(), backend.totalMemoryBytes()));
        }
    }
}

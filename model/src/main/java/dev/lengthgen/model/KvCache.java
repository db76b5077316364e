package dev.lengthgen.model;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.model.config.GptConfig;

/** Keys and values of every layer for greedy decoding: per layer two (B, NH, maxT, hs) tensors in one buffer. */
public final class KvCache {
    public final int B;
    public final int maxT;
    private final Memory memory;
    private final long perTensor;

    public KvCache(Backend backend, GptConfig c, int B, int maxT) {
        this.B = B;
        this.maxT = maxT;
        this.perTensor = (long) B * maxT * c.dim();
        this.memory = backend.allocate(DType.F32, 2 * c.layers() * perTensor, "kvcache");
    }

    public View k(int layer) {
        return memory.view(2 * layer * perTensor, perTensor);
    }

    public View v(int layer) {
        return memory.view((2L * layer + 1) * perTensor, perTensor);
    }

    public static long elements(GptConfig c, int B, int maxT) {
        return 2L * c.layers() * B * maxT * c.dim();
    }
}

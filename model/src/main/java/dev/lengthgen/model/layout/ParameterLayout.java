package dev.lengthgen.model.layout;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every parameter lives in the one flat parameter buffer (the gradient and AdamW moment buffers share this
 * layout). Names follow nanoGPT's state_dict, and matrices are (out, in) as in torch.nn.Linear, so a PyTorch user can
 * load the safetensors checkpoint into nanoGPT directly. All matrices come first and all vectors after them, so
 * AdamW's two parameter groups (decay / no decay) are two contiguous ranges.
 */
public final class ParameterLayout {

    /** The views of one transformer block; biases are null when the config has none. */
    public record Block(TensorSpec ln1w, TensorSpec ln1b, TensorSpec qkvw, TensorSpec qkvb, TensorSpec attprojw,
                        TensorSpec attprojb, TensorSpec ln2w, TensorSpec ln2b, TensorSpec fcw, TensorSpec fcb,
                        TensorSpec fcprojw, TensorSpec fcprojb) {
    }

    private final Map<String, TensorSpec> byName = new LinkedHashMap<>();
    private final List<Block> blocks = new ArrayList<>();
    public final TensorSpec wte;
    /** The learned position table (ape, abacus, coupling); null for the other schemes. */
    public final TensorSpec wpe;
    /** t5's learned relative-position bias (NH, K), shared by every layer; null for the other schemes. */
    public final TensorSpec relativeBias;
    public final TensorSpec lnfw;
    public final TensorSpec lnfb;
    /** The output head: wte itself when embeddings are tied. */
    public final TensorSpec lmHead;
    private final long decayCount;
    private final long total;

    public ParameterLayout(GptConfig c) {
        int C = c.dim(), V = c.vocab(), L = c.layers();
        long[] cursor = {0};
        // First pass: matrices (decayed), in a fixed order.
        wte = add(cursor, "transformer.wte.weight", true, V, C);
        PositionConfig.Scheme scheme = c.position().scheme();
        wpe = scheme.learnsTable() ? add(cursor, "transformer.wpe.weight", true, c.context(), C) : null;
        TensorSpec[][] mats = new TensorSpec[L][];
        for (int l = 0; l < L; l++) {
            String p = "transformer.h." + l + ".";
            mats[l] = new TensorSpec[]{
                    add(cursor, p + "attn.c_attn.weight", true, 3 * C, C),
                    add(cursor, p + "attn.c_proj.weight", true, C, C),
                    add(cursor, p + "mlp.c_fc.weight", true, 4 * C, C),
                    add(cursor, p + "mlp.c_proj.weight", true, C, 4 * C)};
        }
        lmHead = c.tiedEmbeddings() ? wte : add(cursor, "lm_head.weight", true, V, C);
        decayCount = cursor[0];
        // Second pass: vectors (not decayed).
        for (int l = 0; l < L; l++) {
            String p = "transformer.h." + l + ".";
            TensorSpec ln1w = add(cursor, p + "ln_1.weight", false, C);
            TensorSpec ln1b = c.bias() ? add(cursor, p + "ln_1.bias", false, C) : null;
            TensorSpec qkvb = c.bias() ? add(cursor, p + "attn.c_attn.bias", false, 3 * C) : null;
            TensorSpec attprojb = c.bias() ? add(cursor, p + "attn.c_proj.bias", false, C) : null;
            TensorSpec ln2w = add(cursor, p + "ln_2.weight", false, C);
            TensorSpec ln2b = c.bias() ? add(cursor, p + "ln_2.bias", false, C) : null;
            TensorSpec fcb = c.bias() ? add(cursor, p + "mlp.c_fc.bias", false, 4 * C) : null;
            TensorSpec fcprojb = c.bias() ? add(cursor, p + "mlp.c_proj.bias", false, C) : null;
            blocks.add(new Block(ln1w, ln1b, mats[l][0], qkvb, mats[l][1], attprojb, ln2w, ln2b, mats[l][2], fcb,
                    mats[l][3], fcprojb));
        }
        lnfw = add(cursor, "transformer.ln_f.weight", false, C);
        lnfb = c.bias() ? add(cursor, "transformer.ln_f.bias", false, C) : null;
        // A bias table, not a projection: like the other non-matrix parameters it is not decayed.
        relativeBias = scheme == PositionConfig.Scheme.T5
                ? add(cursor, "transformer.rel_bias.weight", false, c.heads(), c.position().buckets()) : null;
        total = cursor[0];
    }

    private TensorSpec add(long[] cursor, String name, boolean decay, int... shape) {
        TensorSpec t = new TensorSpec(name, shape, cursor[0], decay);
        byName.put(name, t);
        cursor[0] += t.size();
        return t;
    }

    public Block block(int l) {
        return blocks.get(l);
    }

    /** Every tensor, in buffer order. */
    public List<TensorSpec> tensors() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public TensorSpec get(String name) {
        return byName.get(name);
    }

    /** Total parameter count. */
    public long total() {
        return total;
    }

    /** Elements [0, decayCount) are decayed matrices; [decayCount, total) are vectors. */
    public long decayCount() {
        return decayCount;
    }

    /** GPT-2's residual projections, whose initial std is scaled by 1/sqrt(2 L). */
    public static boolean isResidualProjection(TensorSpec t) {
        return t.name().endsWith("attn.c_proj.weight") || t.name().endsWith("mlp.c_proj.weight");
    }
}

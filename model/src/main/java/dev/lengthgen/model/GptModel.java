package dev.lengthgen.model;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.TaskGraph;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.layout.Activations;
import dev.lengthgen.model.layout.ParameterLayout;
import dev.lengthgen.model.layout.TensorSpec;
import dev.lengthgen.model.layout.TensorViews;
import dev.lengthgen.model.position.AttentionBias;
import dev.lengthgen.model.train.StepInputs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * A GPT (pre-LN blocks, GELU MLP 4x, a position scheme, optionally tied embeddings and biases) whose
 * parameters live in one flat buffer on a backend, and the task graphs of its forward and backward passes.
 *
 * <pre>
 *   x0 = dropout(wte[tokens] + wpe[positions])                 (N, C); wpe: learned, sinusoids or none
 *   per block: x = x + dropout(proj(attn(ln1(x))))            attn: rope rotates q, k; alibi, t5 add a bias
 *              x = x + dropout(fcproj(gelu(fc(ln2(x)))))
 *   logits = ln_f(x) . lm_head^T                                (N, V)
 *   loss = masked mean cross-entropy over answer tokens
 * </pre>
 * With a loss head the last block runs on the rows that carry loss from its attention output on (the other rows
 * only feed the keys and values every row attends to), and so do ln_f and the head; see {@link Head#LOSS}.
 * Dropout follows nanoGPT's residual dropout (embedding and both residual branches); it is not applied to the
 * attention weights. Task names are "encoder.fwd", "layer3.attn.fwd", "lmhead.bwd", ...
 */
public final class GptModel implements AutoCloseable {
    public final GptConfig config;
    public final ParameterLayout layout;
    public final Backend backend;
    public final Memory params;
    private final TensorViews paramViews;
    /** sinusoidal's fixed (context, C) table, fed to the encoder in place of wpe; null for the other schemes. */
    private final View sinusoidTable;
    /** alibi's fixed (NH, K) table of -slope_h * distance; null for the other schemes. */
    private final View alibiTable;

    public GptModel(GptConfig config, Backend backend) {
        this.config = config;
        this.layout = new ParameterLayout(config);
        this.backend = backend;
        MemoryPlan.parametersOnly(config, layout).check(backend);
        this.params = backend.allocate(DType.F32, layout.total(), "params");
        this.paramViews = new TensorViews(params, layout);
        if (config.position().scheme() == PositionConfig.Scheme.SINUSOIDAL) {
            // A constant, not a parameter: it gets no gradient and no optimizer state.
            sinusoidTable = backend.allocate(DType.F32, (long) config.context() * config.dim(), "sinusoids").view();
            backend.upload(sinusoidTable, sinusoids(config.context(), config.dim()));
        } else {
            sinusoidTable = null;
        }
        if (config.position().scheme() == PositionConfig.Scheme.ALIBI) {
            int K = AttentionBias.buckets(config);
            alibiTable = backend.allocate(DType.F32, (long) config.heads() * K, "alibi").view();
            backend.upload(alibiTable, AttentionBias.alibiTable(config.heads(), K));
        } else {
            alibiTable = null;
        }
    }

    /** The per-head bias table (NH, K) of alibi (constant) or t5 (learned), or null for the other schemes. */
    public View biasTable() {
        return alibiTable != null ? alibiTable : param(layout.relativeBias);
    }

    /** Vaswani et al.'s table: row p holds sin(p w_i) at 2i and cos(p w_i) at 2i + 1, w_i = 10000^(-2i/C). */
    static float[] sinusoids(int rows, int C) {
        float[] t = new float[rows * C];
        for (int p = 0; p < rows; p++) {
            for (int i = 0; 2 * i < C; i++) {
                double angle = p * Math.pow(10000.0, -2.0 * i / C);
                t[p * C + 2 * i] = (float) Math.sin(angle);
                if (2 * i + 1 < C) {
                    t[p * C + 2 * i + 1] = (float) Math.cos(angle);
                }
            }
        }
        return t;
    }

    /**
     * What the encoder adds to the token embedding, indexed by position id: the learned table (ape, abacus,
     * coupling), the fixed sinusoids, or null (nope, and the schemes that act inside attention).
     */
    public View positionTable() {
        return sinusoidTable != null ? sinusoidTable : param(layout.wpe);
    }

    /** The view of one parameter tensor (null for a tensor the config does not have). */
    public View param(TensorSpec t) {
        return paramViews.of(t);
    }

    /**
     * GPT-2 initialisation: matrices N(0, 0.02), residual projections N(0, 0.02 / sqrt(2 L)), layernorm weights 1,
     * biases 0. Deterministic in the seed on every machine (java.util.Random's algorithm is specified).
     */
    public void initialize(long seed) {
        float[] host = new float[Math.toIntExact(layout.total())];
        Random rng = new Random(seed);
        double residualStd = 0.02 / Math.sqrt(2.0 * config.layers());
        for (TensorSpec t : layout.tensors()) {
            int from = (int) t.offset(), to = (int) (t.offset() + t.size());
            if (t.shape().length == 2) {
                double std = ParameterLayout.isResidualProjection(t) ? residualStd : 0.02;
                for (int i = from; i < to; i++) {
                    host[i] = (float) (rng.nextGaussian() * std);
                }
            } else if (t.name().contains("ln_") && t.name().endsWith(".weight")) {
                Arrays.fill(host, from, to, 1f);
            }
        }
        backend.upload(params.view(), host);
    }

    public float[] downloadParameters() {
        float[] host = new float[Math.toIntExact(layout.total())];
        backend.download(params.view(), host);
        return host;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Forward pass
    // ---------------------------------------------------------------------------------------------------------------

    /** What a forward graph computes after the blocks. */
    public enum Head {
        /** Stop after the last block (prefill of a decode). */
        NONE,
        /**
         * Logits, per-token losses and their sum (and dlogits when a buffer for them is given) at the rows that carry
         * loss only (mask not 0; {@link StepInputs#lossRows}): under the causal mask no other row's output reaches the
         * loss, so the last block runs on those rows from the attention output on, and so do the final layernorm and
         * the head (the first M rows of their activations). The loss and every gradient are those of all rows.
         */
        LOSS,
        /** As LOSS, with every row carried through to the logits (for callers that read the logits of any row). */
        LOGITS
    }

    /** Values a graph reads when it executes (not when it is built): the step for dropout keys, the loss scale. */
    public static final class StepState {
        public long seed;
        public long step;
        public float dlossScale;
    }

    /**
     * Appends the forward pass at (B, T) to a graph.
     *
     * @param dropout whether dropout is active (training)
     * @param kv      if not null, k and v of every position are stored into these caches (decode prefill)
     * @param dlogits if not null (training), receives dLoss/dlogits (N, V) scaled by state.dlossScale
     * @param lossSum receives the sum of the masked per-token losses (1 element) when head is LOSS or LOGITS
     */
    public void addForward(TaskGraph g, Activations a, StepInputs in, int B, int T, boolean dropout, Head head,
                           StepState state, KvCache kv, View dlogits, View lossSum) {
        final GptConfig c = config;
        final int C = c.dim(), NH = c.heads(), N = B * T, V = c.vocab();
        final float p = dropout ? c.dropout() : 0f;
        final boolean pruned = head == Head.LOSS;
        g.task("encoder.fwd", 0, bytes(2.0 * N * C), () ->
                backend.encoderForward(a.encoded, in.tokens, in.positions, param(layout.wte), positionTable(), N, C));
        if (a.encodedDrop != a.encoded) {
            final DropoutKey k = key(state, 0);
            g.task("encoder.dropout.fwd", 0, bytes(2.0 * N * C), () ->
                    backend.dropoutForward(a.encodedDrop, a.encoded, p, k, N * C));
        }
        if (a.bias != null) {
            final int K = AttentionBias.buckets(c);
            g.task("posbias.fwd", 0, bytes(2.0 * NH * T * T), () ->
                    backend.bucketBiasForward(a.bias, biasTable(), in.buckets, NH, T, K));
        }
        final PositionConfig pos = c.position();
        final boolean rope = pos.scheme() == PositionConfig.Scheme.ROPE;
        View x = a.encodedDrop;
        for (int l = 0; l < c.layers(); l++) {
            final Activations.Layer L = a.layers[l];
            final ParameterLayout.Block w = layout.block(l);
            final View in0 = x;
            final int site = l;
            String n = "layer" + l + ".";
            g.task(n + "ln1.fwd", 0, bytes(2.0 * N * C), () ->
                    backend.layernormForward(L.ln1, L.ln1Mean, L.ln1Rstd, in0, param(w.ln1w()), param(w.ln1b()), N, C));
            g.task(n + "qkv.fwd", matmulFlops(N, C, 3 * C), 0, () ->
                    backend.matmulForward(L.qkv, L.ln1, param(w.qkvw()), param(w.qkvb()), N, C, 3 * C));
            if (rope) {
                g.task(n + "rope.fwd", 0, bytes(6.0 * N * C), () ->
                        backend.rotaryForward(L.qkvRot, L.qkv, in.positions, pos.ropeBase(), B, T, C, NH));
            }
            if (kv != null) {
                g.task(n + "kvstore", 0, bytes(2.0 * N * C), () ->
                        backend.kvCacheStore(kv.k(site), kv.v(site), L.qkvRot, B, T, C, NH, kv.maxT, 0));
            }
            g.task(n + "attn.fwd", attentionFlops(B, T, C), 0, () ->
                    backend.attentionForward(L.atty, L.preatt, L.att, L.qkvRot, a.bias, B, T, C, NH));
            if (pruned && l == c.layers() - 1) {
                g.task(n + "rows.gather.fwd", 0, 0, () -> {
                    int M = in.lossRowCount();
                    backend.gatherRowsForward(a.lossAtty, L.atty, in.lossRows, N, M, C);
                    backend.gatherRowsForward(a.lossResidual, in0, in.lossRows, N, M, C);
                });
                addBlockTail(g, n + "rows.", L, w, a.lossAtty, a.lossResidual, in::lossRowCount, 0, p, state, site);
            } else {
                addBlockTail(g, n, L, w, L.atty, in0, () -> N, N, p, state, site);
            }
            x = L.res3;
        }
        if (head == Head.NONE) {
            return;
        }
        final View last = x;
        final View targets = pruned ? in.lossTargets : in.targets;
        final View mask = pruned ? in.lossMask : in.mask;
        final IntSupplier rows = pruned ? in::lossRowCount : () -> N;
        final int known = pruned ? 0 : N;
        final String h = pruned ? "rows." : "";
        g.task(h + "lnf.fwd", 0, bytes(2.0 * known * C), () ->
                backend.layernormForward(a.lnf, a.lnfMean, a.lnfRstd, last, param(layout.lnfw), param(layout.lnfb),
                        rows.getAsInt(), C));
        g.task(h + "lmhead.fwd", matmulFlops(known, C, V), 0, () ->
                backend.matmulForward(a.logits, a.lnf, param(layout.lmHead), null, rows.getAsInt(), C, V));
        g.task(h + "loss.fwd", 0, bytes(2.0 * known * V), () ->
                backend.crossEntropyForward(a.losses, dlogits, a.logits, targets, mask, state.dlossScale,
                        rows.getAsInt(), V));
        g.task(h + "loss.sum", 0, bytes(known), () -> backend.sum(lossSum, a.losses, rows.getAsInt()));
    }

    /**
     * The part of a block after attention, on the rows given (all of them, or the rows that carry loss, gathered):
     * attnproj, residual, ln2, MLP, residual. {@code known} is the row count for the profile's work figures (0 when
     * it changes from step to step).
     */
    private void addBlockTail(TaskGraph g, String n, Activations.Layer L, ParameterLayout.Block w, View atty,
                              View in0, IntSupplier rows, int known, float p, StepState state, int site) {
        final int C = config.dim();
        g.task(n + "attnproj.fwd", matmulFlops(known, C, C), 0, () ->
                backend.matmulForward(L.attproj, atty, param(w.attprojw()), param(w.attprojb()), rows.getAsInt(), C,
                        C));
        if (L.attprojDrop != L.attproj) {
            final DropoutKey k = key(state, 1 + 2 * site);
            g.task(n + "attnproj.dropout.fwd", 0, bytes(2.0 * known * C), () ->
                    backend.dropoutForward(L.attprojDrop, L.attproj, p, k, rows.getAsInt() * C));
        }
        g.task(n + "residual1.fwd", 0, bytes(3.0 * known * C), () ->
                backend.residualForward(L.res2, in0, L.attprojDrop, rows.getAsInt() * C));
        g.task(n + "ln2.fwd", 0, bytes(2.0 * known * C), () ->
                backend.layernormForward(L.ln2, L.ln2Mean, L.ln2Rstd, L.res2, param(w.ln2w()), param(w.ln2b()),
                        rows.getAsInt(), C));
        g.task(n + "fc.fwd", matmulFlops(known, C, 4 * C), 0, () ->
                backend.matmulForward(L.fch, L.ln2, param(w.fcw()), param(w.fcb()), rows.getAsInt(), C, 4 * C));
        g.task(n + "gelu.fwd", 0, bytes(8.0 * known * C), () ->
                backend.geluForward(L.fchGelu, L.fch, rows.getAsInt() * 4 * C));
        g.task(n + "fcproj.fwd", matmulFlops(known, 4 * C, C), 0, () ->
                backend.matmulForward(L.fcproj, L.fchGelu, param(w.fcprojw()), param(w.fcprojb()), rows.getAsInt(),
                        4 * C, C));
        if (L.fcprojDrop != L.fcproj) {
            final DropoutKey k = key(state, 2 + 2 * site);
            g.task(n + "fcproj.dropout.fwd", 0, bytes(2.0 * known * C), () ->
                    backend.dropoutForward(L.fcprojDrop, L.fcproj, p, k, rows.getAsInt() * C));
        }
        g.task(n + "residual2.fwd", 0, bytes(3.0 * known * C), () ->
                backend.residualForward(L.res3, L.res2, L.fcprojDrop, rows.getAsInt() * C));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Backward pass (reverse order of addForward; every gradient accumulates, so grads and d-activations start at 0)
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Appends forward (with dlogits, {@link Head#LOSS}: the last block after attention on the rows that carry loss)
     * and backward passes at (B, T): grads receive dLoss/dParams.
     */
    public void addForwardBackward(TaskGraph g, Activations a, Activations d, Memory grads, StepInputs in, int B,
                                   int T, StepState state, View lossSum) {
        final TensorViews gradViews = new TensorViews(grads, layout);
        final View allGrads = grads.view();
        final View[] accumulated = accumulatedViews(d);
        long zeroed = grads.length();
        for (View v : accumulated) {
            zeroed += v.length();
        }
        g.task("grads.zero", 0, bytes(zeroed), () -> {
            backend.zero(allGrads);
            for (View v : accumulated) {
                backend.zero(v);
            }
        });
        addForward(g, a, in, B, T, true, Head.LOSS, state, null, d.logits, lossSum);
        final GptConfig c = config;
        final int C = c.dim(), NH = c.heads(), N = B * T, V = c.vocab();
        final float p = c.dropout();
        final int Lc = c.layers();
        final PositionConfig pos = c.position();
        final boolean rope = pos.scheme() == PositionConfig.Scheme.ROPE;
        // Only t5's bias is learned; alibi's is a constant and needs no gradient.
        final boolean learnedBias = layout.relativeBias != null;
        final View lastOut = a.layers[Lc - 1].res3;
        final View dLastOut = d.layers[Lc - 1].res3;
        final IntSupplier lossRows = in::lossRowCount;
        g.task("rows.lmhead.bwd", 0, 0, () ->
                backend.matmulBackward(d.lnf, gradViews.of(layout.lmHead), null, d.logits, a.lnf,
                        param(layout.lmHead), lossRows.getAsInt(), C, V));
        g.task("rows.lnf.bwd", 0, 0, () ->
                backend.layernormBackward(dLastOut, gradViews.of(layout.lnfw), gradViews.of(layout.lnfb), d.lnf,
                        lastOut, param(layout.lnfw), a.lnfMean, a.lnfRstd, lossRows.getAsInt(), C));
        for (int l = Lc - 1; l >= 0; l--) {
            final Activations.Layer L = a.layers[l], D = d.layers[l];
            final ParameterLayout.Block w = layout.block(l);
            final View in0 = l == 0 ? a.encodedDrop : a.layers[l - 1].res3;
            final View din0 = l == 0 ? d.encodedDrop : d.layers[l - 1].res3;
            final int site = l;
            String n = "layer" + l + ".";
            if (l == Lc - 1) {
                addBlockTailBackward(g, n + "rows.", L, D, w, gradViews, a.lossAtty, d.lossAtty, a.lossResidual,
                        d.lossResidual, lossRows, 0, p, state, site);
                g.task(n + "rows.gather.bwd", 0, 0, () -> {
                    int M = in.lossRowCount();
                    backend.gatherRowsBackward(D.atty, d.lossAtty, in.lossRows, N, M, C);
                    backend.gatherRowsBackward(din0, d.lossResidual, in.lossRows, N, M, C);
                });
            } else {
                addBlockTailBackward(g, n, L, D, w, gradViews, L.atty, D.atty, in0, din0, () -> N, N, p, state, site);
            }
            g.task(n + "attn.bwd", 2 * attentionFlops(B, T, C), 0, () ->
                    backend.attentionBackward(D.qkvRot, D.preatt, D.att, learnedBias ? d.bias : null, D.atty, L.qkvRot,
                            L.att, B, T, C, NH));
            if (rope) {
                g.task(n + "rope.bwd", 0, bytes(6.0 * N * C), () ->
                        backend.rotaryBackward(D.qkv, D.qkvRot, in.positions, pos.ropeBase(), B, T, C, NH));
            }
            g.task(n + "qkv.bwd", 2 * matmulFlops(N, C, 3 * C), 0, () ->
                    backend.matmulBackward(D.ln1, gradViews.of(w.qkvw()), gradViews.of(w.qkvb()), D.qkv, L.ln1,
                            param(w.qkvw()), N, C, 3 * C));
            g.task(n + "ln1.bwd", 0, bytes(4.0 * N * C), () ->
                    backend.layernormBackward(din0, gradViews.of(w.ln1w()), gradViews.of(w.ln1b()), D.ln1, in0,
                            param(w.ln1w()), L.ln1Mean, L.ln1Rstd, N, C));
        }
        if (learnedBias) { // every layer added its share to the one shared dbias
            final int K = AttentionBias.buckets(c);
            g.task("posbias.bwd", 0, bytes(2.0 * NH * T * T), () ->
                    backend.bucketBiasBackward(gradViews.of(layout.relativeBias), d.bias, in.buckets, NH, T, K));
        }
        if (a.encodedDrop != a.encoded) {
            final DropoutKey k = key(state, 0);
            g.task("encoder.dropout.bwd", 0, bytes(2.0 * N * C), () ->
                    backend.dropoutBackward(d.encoded, d.encodedDrop, p, k, N * C));
        }
        g.task("encoder.bwd", 0, bytes(2.0 * N * C), () ->
                backend.encoderBackward(gradViews.of(layout.wte), gradViews.of(layout.wpe), d.encoded, in.tokens,
                        in.positions, N, C));
    }

    /**
     * The activation gradients that backward ops add to, each once (views that alias one another, as the residual
     * stream's do in {@link Activations#gradients}, are one): what a step zeroes first. The scratch that ops overwrite
     * (attention's dpreatt and datt, dlogits) and what no op writes (layernorm statistics, losses) are left alone.
     */
    private static View[] accumulatedViews(Activations d) {
        List<View> all = new ArrayList<>(List.of(d.encoded, d.encodedDrop));
        if (d.bias != null) {
            all.add(d.bias);
        }
        for (Activations.Layer D : d.layers) {
            all.addAll(List.of(D.ln1, D.qkv, D.qkvRot, D.atty, D.attproj, D.attprojDrop, D.res2, D.ln2, D.fch,
                    D.fchGelu, D.fcproj, D.fcprojDrop, D.res3));
        }
        all.addAll(List.of(d.lossAtty, d.lossResidual, d.lnf));
        List<View> distinct = new ArrayList<>();
        for (View v : all) {
            if (distinct.stream().noneMatch(x -> x == v)) {
                distinct.add(v);
            }
        }
        return distinct.toArray(new View[0]);
    }

    /**
     * The residual add's backward pass, left out where the gradient layout makes its inputs' and output's gradients
     * one view ({@link Activations#gradients}): the stream already is the gradient of both inputs.
     */
    private void addResidualBackward(TaskGraph g, String name, View da, View db, View dout, IntSupplier rows,
                                     int known) {
        if (da == dout && db == dout) {
            return;
        }
        final int C = config.dim();
        g.task(name, 0, bytes(3.0 * known * C), () -> backend.residualBackward(da, db, dout, rows.getAsInt() * C));
    }

    /**
     * The backward pass of {@link #addBlockTail} on the same rows: from the block output's gradient (D.res3) to the
     * gradients of its attention output (datty) and residual input (din0), and of its weights.
     */
    private void addBlockTailBackward(TaskGraph g, String n, Activations.Layer L, Activations.Layer D,
                                      ParameterLayout.Block w, TensorViews gradViews, View atty, View datty, View in0,
                                      View din0, IntSupplier rows, int known, float p, StepState state, int site) {
        final int C = config.dim();
        addResidualBackward(g, n + "residual2.bwd", D.res2, D.fcprojDrop, D.res3, rows, known);
        if (L.fcprojDrop != L.fcproj) {
            final DropoutKey k = key(state, 2 + 2 * site);
            g.task(n + "fcproj.dropout.bwd", 0, bytes(2.0 * known * C), () ->
                    backend.dropoutBackward(D.fcproj, D.fcprojDrop, p, k, rows.getAsInt() * C));
        }
        g.task(n + "fcproj.bwd", 2 * matmulFlops(known, 4 * C, C), 0, () ->
                backend.matmulBackward(D.fchGelu, gradViews.of(w.fcprojw()), gradViews.of(w.fcprojb()), D.fcproj,
                        L.fchGelu, param(w.fcprojw()), rows.getAsInt(), 4 * C, C));
        g.task(n + "gelu.bwd", 0, bytes(12.0 * known * C), () ->
                backend.geluBackward(D.fch, L.fch, D.fchGelu, rows.getAsInt() * 4 * C));
        g.task(n + "fc.bwd", 2 * matmulFlops(known, C, 4 * C), 0, () ->
                backend.matmulBackward(D.ln2, gradViews.of(w.fcw()), gradViews.of(w.fcb()), D.fch, L.ln2,
                        param(w.fcw()), rows.getAsInt(), C, 4 * C));
        g.task(n + "ln2.bwd", 0, bytes(4.0 * known * C), () ->
                backend.layernormBackward(D.res2, gradViews.of(w.ln2w()), gradViews.of(w.ln2b()), D.ln2, L.res2,
                        param(w.ln2w()), L.ln2Mean, L.ln2Rstd, rows.getAsInt(), C));
        addResidualBackward(g, n + "residual1.bwd", din0, D.attprojDrop, D.res2, rows, known);
        if (L.attprojDrop != L.attproj) {
            final DropoutKey k = key(state, 1 + 2 * site);
            g.task(n + "attnproj.dropout.bwd", 0, bytes(2.0 * known * C), () ->
                    backend.dropoutBackward(D.attproj, D.attprojDrop, p, k, rows.getAsInt() * C));
        }
        g.task(n + "attnproj.bwd", 2 * matmulFlops(known, C, C), 0, () ->
                backend.matmulBackward(datty, gradViews.of(w.attprojw()), gradViews.of(w.attprojb()), D.attproj, atty,
                        param(w.attprojw()), rows.getAsInt(), C, C));
    }

    /** The key of a dropout site, made once when the graph is built: it reads seed and step when the task runs. */
    private static DropoutKey key(StepState s, int site) {
        return new SiteKey(s, site);
    }

    /** A dropout site's key whose seed and step follow the step state (so a step allocates no keys). */
    private static final class SiteKey implements DropoutKey {
        private final StepState state;
        private final int tensor;

        SiteKey(StepState state, int tensor) {
            this.state = state;
            this.tensor = tensor;
        }

        @Override
        public long seed() {
            return state.seed;
        }

        @Override
        public long step() {
            return state.step;
        }

        @Override
        public int tensor() {
            return tensor;
        }

        @Override
        public String toString() {
            return "DropoutKey[seed=" + seed() + ", step=" + step() + ", tensor=" + tensor + "]";
        }
    }

    /** Forward FLOPs of out = inp (N,C) . W (OC,C)^T. */
    public static double matmulFlops(long N, long C, long OC) {
        return 2.0 * N * C * OC;
    }

    /** Forward FLOPs of attention over the full T x T (QK^T and AV), as MFU counts them (README, "Benchmarks"). */
    public static double attentionFlops(long B, long T, long C) {
        return 4.0 * B * T * T * C;
    }

    private static double bytes(double floats) {
        return 4.0 * floats;
    }

    /** Model FLOPs of one training step at (B, T): every matmul of forward, and twice that for backward. */
    public double trainingFlops(int B, int T) {
        long N = (long) B * T, C = config.dim();
        double fwd = config.layers() * (matmulFlops(N, C, 3 * C) + attentionFlops(B, T, C) + matmulFlops(N, C, C)
                + matmulFlops(N, C, 4 * C) + matmulFlops(N, 4 * C, C)) + matmulFlops(N, C, config.vocab());
        return 3 * fwd;
    }

    @Override
    public void close() {
        // Memory is owned by the backend; closing the backend releases it.
    }
}

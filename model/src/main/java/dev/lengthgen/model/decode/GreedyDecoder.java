package dev.lengthgen.model.decode;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.ExecutionPlan;
import dev.lengthgen.engine.graph.TaskGraph;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.KvCache;
import dev.lengthgen.model.MemoryPlan;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.position.AttentionBias;
import dev.lengthgen.model.layout.Activations;
import dev.lengthgen.model.layout.ParameterLayout;
import dev.lengthgen.model.train.StepInputs;

import java.util.HashMap;
import java.util.Map;

/**
 * Batched greedy decoding with a KV cache. A batch of prompts of equal length Tp is decoded as: one prefill pass over
 * tokens [0, Tp-1) that stores every layer's keys and values, then one single-token pass per generated token, each
 * attending to the cache. The argmax of each step is written straight into the next step's token buffer on the
 * device, so per token only the predictions come down and the position ids go up. Position ids are separate from
 * the cache slot: the digit schemes give generated digits the id of their place, not of their index.
 */
public final class GreedyDecoder {
    private final GptModel model;
    private final Backend backend;
    private final int B;
    private final int maxT;
    private final KvCache cache;
    private final Activations prefillActs;
    private final Activations stepActs;
    private final StepInputs prefillInputs;
    private final StepInputs stepInputs;
    private final View predictions;
    private final View unusedLoss;
    private final GptModel.StepState state = new GptModel.StepState();
    private final Map<Integer, ExecutionPlan> prefillByLength = new HashMap<>();
    private final ExecutionPlan stepPlan;
    /** alibi, t5: the bias (NH, maxT, maxT) every single-token step reads, its buckets (maxT, maxT), and its build. */
    private final View stepBias;
    private final View stepBuckets;
    private final ExecutionPlan stepBiasPlan;
    /** Sequence index (cache slot) of the token fed in the current single-token step; read by the step graph. */
    private int pos;

    /**
     * @param B    rows decoded together (a final partial batch is padded)
     * @param maxT longest prompt + generated sequence
     */
    public GreedyDecoder(GptModel model, int B, int maxT) {
        GptConfig c = model.config;
        if (maxT > c.context()) {
            throw new IllegalArgumentException("decoding needs " + maxT + " positions but the model's context is "
                    + c.context());
        }
        this.model = model;
        this.backend = model.backend;
        this.B = B;
        this.maxT = maxT;
        MemoryPlan.parametersOnly(c, model.layout).withDecoder(c, B, maxT, maxT).check(backend);
        cache = new KvCache(backend, c, B, maxT);
        prefillActs = new Activations(backend, c, B, maxT, false, "decode.prefill");
        stepActs = new Activations(backend, c, B, 1, false, "decode.step");
        prefillInputs = new StepInputs(backend, c, B, maxT, "decode.prefill");
        stepInputs = new StepInputs(backend, c, B, 1, "decode.step");
        Memory out = backend.allocate(DType.I32, B, "decode.predictions");
        predictions = out.view();
        unusedLoss = backend.allocate(DType.F32, 1, "decode.loss").view();
        if (c.position().scheme().biasesAttention()) {
            stepBias = backend.allocate(DType.F32, (long) c.heads() * maxT * maxT, "decode.bias").view();
            stepBuckets = backend.allocate(DType.I32, (long) maxT * maxT, "decode.buckets").view();
            int NH = c.heads(), K = AttentionBias.buckets(c);
            TaskGraph g = new TaskGraph("decode.bias");
            g.task("posbias.fwd",
                    () -> backend.bucketBiasForward(stepBias, model.biasTable(), stepBuckets, NH, maxT, K));
            stepBiasPlan = g.plan(backend);
        } else {
            stepBias = null;
            stepBuckets = null;
            stepBiasPlan = null;
        }
        stepPlan = buildStep().plan(backend);
    }

    /**
     * Decodes greedily with position ids 0, 1, 2, ... (the sequence schemes at evaluation).
     *
     * @param prompts   rows of token ids, all of the same length Tp >= 2 (at most B rows)
     * @param maxNew    tokens to generate per row
     * @param stopToken generation of a row may end after it emits this token (-1: never); the loop ends early once
     *                  every row has emitted it
     * @return per row, the generated tokens (maxNew of them; after a stop token the rest are unspecified)
     */
    public int[][] decode(int[][] prompts, int maxNew, int stopToken) {
        int[][] promptPositions = new int[prompts.length][];
        int[][] generatedPositions = new int[prompts.length][];
        for (int b = 0; b < prompts.length; b++) {
            int tp = prompts[b].length;
            promptPositions[b] = new int[tp];
            generatedPositions[b] = new int[Math.max(0, maxNew - 1)];
            for (int t = 0; t < tp; t++) {
                promptPositions[b][t] = t;
            }
            for (int k = 0; k < generatedPositions[b].length; k++) {
                generatedPositions[b][k] = tp + k;
            }
        }
        return decode(prompts, promptPositions, generatedPositions, maxNew, stopToken);
    }

    /**
     * Decodes greedily with explicit position ids (the digit schemes compute them from each digit's place).
     *
     * @param prompts            rows of token ids, all of the same length Tp >= 2 (at most B rows)
     * @param promptPositions    per row, the position id of each prompt token (Tp of them)
     * @param generatedPositions per row, the position id the k-th generated token gets when it is fed back
     *                           (at least maxNew - 1 of them: the last generated token is never fed)
     * @param maxNew             tokens to generate per row
     * @param stopToken          generation of a row may end after it emits this token (-1: never)
     * @return per row, the generated tokens (maxNew of them; after a stop token the rest are unspecified)
     */
    public int[][] decode(int[][] prompts, int[][] promptPositions, int[][] generatedPositions, int maxNew,
                          int stopToken) {
        int rows = prompts.length;
        if (rows == 0) {
            return new int[0][];
        }
        if (rows > B) {
            throw new IllegalArgumentException(rows + " prompts but the decoder batch is " + B);
        }
        int tp = prompts[0].length;
        if (tp < 2 || tp + maxNew - 1 > maxT) {
            throw new IllegalArgumentException("prompt length " + tp + " + " + maxNew + " new tokens does not fit in "
                    + maxT + " positions");
        }
        // Prefill sequence indices [0, tp-1): rows beyond the prompts repeat row 0 so every row is well defined.
        int prefillT = tp - 1;
        int[] tokens = new int[B * prefillT];
        int[] positions = new int[B * prefillT];
        int[] last = new int[B];
        int[] lastPosition = new int[B];
        for (int b = 0; b < B; b++) {
            int row = b < rows ? b : 0;
            int[] p = prompts[row];
            if (p.length != tp || promptPositions[row].length != tp || generatedPositions[row].length < maxNew - 1) {
                throw new IllegalArgumentException("all prompts of a batch must have the same length, with a position "
                        + "id per prompt token and per fed-back token");
            }
            for (int t = 0; t < prefillT; t++) {
                tokens[b * prefillT + t] = p[t];
                positions[b * prefillT + t] = promptPositions[row][t];
            }
            last[b] = p[tp - 1];
            lastPosition[b] = promptPositions[row][tp - 1];
        }
        backend.upload(prefillInputs.tokens.slice(0, tokens.length), tokens);
        backend.upload(prefillInputs.positions.slice(0, positions.length), positions);
        if (stepBias != null) {
            // One bias for the whole batch, as in training: from the first row's ids, extended by one per slot.
            int[] ids = new int[maxT];
            for (int t = 0; t < maxT; t++) {
                ids[t] = t < tp ? promptPositions[0][t]
                        : t - tp < maxNew - 1 ? generatedPositions[0][t - tp] : ids[t - 1] + 1;
            }
            prefillInputs.uploadBuckets(backend, ids, prefillT);
            backend.upload(stepBuckets, AttentionBias.buckets(model.config, ids, maxT));
            stepBiasPlan.execute();
        }
        prefillByLength.computeIfAbsent(prefillT, t -> buildPrefill(t).plan(backend)).execute();

        int[][] generated = new int[rows][maxNew];
        boolean[] stopped = new boolean[rows];
        int[] stepPositions = lastPosition;
        int[] next = new int[B];
        backend.upload(stepInputs.tokens, last);
        for (int k = 0; k < maxNew; k++) {
            pos = prefillT + k; // the cache slot: the sequence index, whatever the position ids are
            if (k > 0) {
                for (int b = 0; b < B; b++) {
                    stepPositions[b] = generatedPositions[b < rows ? b : 0][k - 1];
                }
            }
            backend.upload(stepInputs.positions, stepPositions);
            stepPlan.execute();
            backend.download(predictions, next);
            boolean all = true;
            for (int b = 0; b < rows; b++) {
                generated[b][k] = next[b];
                stopped[b] |= next[b] == stopToken;
                all &= stopped[b];
            }
            if (all) {
                break;
            }
        }
        return generated;
    }

    private TaskGraph buildPrefill(int T) {
        TaskGraph g = new TaskGraph("decode.prefill.T" + T);
        model.addForward(g, prefillActs, prefillInputs, B, T, false, GptModel.Head.NONE, state, cache, null,
                unusedLoss);
        return g;
    }

    /** One token per row at position {@link #pos}: the blocks with cached attention, then the head and argmax. */
    private TaskGraph buildStep() {
        GptConfig c = model.config;
        ParameterLayout lay = model.layout;
        final int C = c.dim(), NH = c.heads(), N = B, V = c.vocab();
        final Activations a = stepActs;
        final boolean rope = c.position().scheme() == PositionConfig.Scheme.ROPE;
        final float ropeBase = c.position().ropeBase();
        TaskGraph g = new TaskGraph("decode.step");
        g.task("encoder.fwd", () -> backend.encoderForward(a.encoded, stepInputs.tokens, stepInputs.positions,
                model.param(lay.wte), model.positionTable(), N, C));
        View x = a.encoded;
        for (int l = 0; l < c.layers(); l++) {
            final Activations.Layer L = a.layers[l];
            final ParameterLayout.Block w = lay.block(l);
            final View in0 = x;
            final int layer = l;
            String n = "layer" + l + ".";
            g.task(n + "ln1.fwd", () -> backend.layernormForward(L.ln1, L.ln1Mean, L.ln1Rstd, in0,
                    model.param(w.ln1w()), model.param(w.ln1b()), N, C));
            g.task(n + "qkv.fwd", GptModel.matmulFlops(N, C, 3 * C), 0, () ->
                    backend.matmulForward(L.qkv, L.ln1, model.param(w.qkvw()), model.param(w.qkvb()), N, C, 3 * C));
            if (rope) { // in place: the step keeps no activations for a backward pass
                g.task(n + "rope.fwd",
                        () -> backend.rotaryForward(L.qkv, L.qkv, stepInputs.positions, ropeBase, B, 1, C, NH));
            }
            g.task(n + "kvstore",
                    () -> backend.kvCacheStore(cache.k(layer), cache.v(layer), L.qkv, B, 1, C, NH, maxT, pos));
            g.task(n + "attn.decode", () -> backend.attentionDecode(L.atty, L.qkv, cache.k(layer), cache.v(layer),
                    stepBias, B, C, NH, maxT, pos));
            g.task(n + "attnproj.fwd", GptModel.matmulFlops(N, C, C), 0, () ->
                    backend.matmulForward(L.attproj, L.atty, model.param(w.attprojw()), model.param(w.attprojb()),
                            N, C, C));
            g.task(n + "residual1.fwd", () -> backend.residualForward(L.res2, in0, L.attproj, N * C));
            g.task(n + "ln2.fwd", () -> backend.layernormForward(L.ln2, L.ln2Mean, L.ln2Rstd, L.res2,
                    model.param(w.ln2w()), model.param(w.ln2b()), N, C));
            g.task(n + "fc.fwd", GptModel.matmulFlops(N, C, 4 * C), 0, () ->
                    backend.matmulForward(L.fch, L.ln2, model.param(w.fcw()), model.param(w.fcb()), N, C, 4 * C));
            g.task(n + "gelu.fwd", () -> backend.geluForward(L.fchGelu, L.fch, N * 4 * C));
            g.task(n + "fcproj.fwd", GptModel.matmulFlops(N, 4 * C, C), 0, () ->
                    backend.matmulForward(L.fcproj, L.fchGelu, model.param(w.fcprojw()), model.param(w.fcprojb()),
                            N, 4 * C, C));
            g.task(n + "residual2.fwd", () -> backend.residualForward(L.res3, L.res2, L.fcproj, N * C));
            x = L.res3;
        }
        final View lastOut = x;
        g.task("lnf.fwd", () -> backend.layernormForward(a.lnf, a.lnfMean, a.lnfRstd, lastOut, model.param(lay.lnfw),
                model.param(lay.lnfb), N, C));
        g.task("lmhead.fwd", GptModel.matmulFlops(N, C, V), 0, () ->
                backend.matmulForward(a.logits, a.lnf, model.param(lay.lmHead), null, N, C, V));
        g.task("argmax", () -> {
            backend.argmax(predictions, a.logits, N, V);
            backend.copy(stepInputs.tokens, predictions);
        });
        return g;
    }

    public int batchSize() {
        return B;
    }

    public int maxPositions() {
        return maxT;
    }
}

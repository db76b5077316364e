package dev.lengthgen.model.layout;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;

/**
 * Every intermediate tensor of a forward pass at batch shape (B, T), carved out of one flat buffer (llm.c's
 * ActivationTensors). The same structure holds their gradients during backward ({@link #gradients}). Shapes below use
 * N = B * T. A pass may run at any T' <= T: ops only touch the first B * T' rows of each view.
 *
 * <p>In the gradient layout the residual stream's gradient is one buffer: a residual add passes its output's gradient
 * unchanged to both inputs, and the backward pass reads each of them before anything else adds to it (the MLP branch
 * before ln2's backward adds to the stream; the attention branch before ln1's), so the gradients of res3, res2, the
 * branch outputs (after dropout) and the block input are one view, and the backward pass needs no residual ops. The
 * last block, which runs on the loss rows only, has that stream in {@link #lossResidual}.
 */
public final class Activations {

    /** One block's intermediates. The *Drop views alias their inputs when dropout is off. */
    public static final class Layer {
        public final View ln1;        // (N, C)
        public final View ln1Mean;    // (N)
        public final View ln1Rstd;    // (N)
        public final View qkv;        // (N, 3C)
        public final View qkvRot;     // (N, 3C)   q and k rotated (rope); aliases qkv for the other schemes
        public final View atty;       // (N, C)   attention output before the projection
        public final View preatt;     // (B, NH, T, T)
        public final View att;        // (B, NH, T, T)
        public final View attproj;    // (N, C)
        public final View attprojDrop; // (N, C)
        public final View res2;       // (N, C)   residual stream after attention
        public final View ln2;        // (N, C)
        public final View ln2Mean;    // (N)
        public final View ln2Rstd;    // (N)
        public final View fch;        // (N, 4C)
        public final View fchGelu;    // (N, 4C)
        public final View fcproj;     // (N, C)
        public final View fcprojDrop; // (N, C)
        public final View res3;       // (N, C)   residual stream after the MLP: the block's output

        /** @param stream the residual stream's gradient (gradient layout), or null for forward activations */
        Layer(Carver k, int N, int C, int BNHTT, boolean dropout, boolean rotary, View stream) {
            ln1 = k.take(N * (long) C);
            ln1Mean = k.take(N);
            ln1Rstd = k.take(N);
            qkv = k.take(N * 3L * C);
            qkvRot = rotary ? k.take(N * 3L * C) : qkv;
            atty = k.take(N * (long) C);
            preatt = k.take(BNHTT);
            att = k.take(BNHTT);
            if (stream == null) {
                attproj = k.take(N * (long) C);
                attprojDrop = dropout ? k.take(N * (long) C) : attproj;
                res2 = k.take(N * (long) C);
            } else {
                attprojDrop = stream;
                attproj = dropout ? k.take(N * (long) C) : stream;
                res2 = stream;
            }
            ln2 = k.take(N * (long) C);
            ln2Mean = k.take(N);
            ln2Rstd = k.take(N);
            fch = k.take(N * 4L * C);
            fchGelu = k.take(N * 4L * C);
            if (stream == null) {
                fcproj = k.take(N * (long) C);
                fcprojDrop = dropout ? k.take(N * (long) C) : fcproj;
                res3 = k.take(N * (long) C);
            } else {
                fcprojDrop = stream;
                fcproj = dropout ? k.take(N * (long) C) : stream;
                res3 = stream;
            }
        }
    }

    public final int B;
    public final int T;
    public final Memory memory;
    /** The additive attention bias (NH, T, T) shared by every layer (alibi, t5), or null. */
    public final View bias;
    public final View encoded;     // (N, C)
    public final View encodedDrop; // (N, C)
    public final Layer[] layers;
    /**
     * The last block's attention output and residual input at the rows that carry loss (M, C), M &lt;= N: with a loss
     * head the block goes on from there on those rows only, and so do lnf, logits and losses (their first M rows).
     */
    public final View lossAtty;     // (M, C)
    public final View lossResidual; // (M, C)
    public final View lnf;         // (N, C)
    public final View lnfMean;     // (N)
    public final View lnfRstd;     // (N)
    public final View logits;      // (N, V)
    public final View losses;      // (N)

    /** Allocates the activations of a model at batch shape (B, T). */
    public Activations(Backend backend, GptConfig c, int B, int T, boolean dropout, String label) {
        this(backend, c, B, T, dropout, label, false);
    }

    /** Allocates the gradients of a model's activations at batch shape (B, T), the residual stream's as one view. */
    public static Activations gradients(Backend backend, GptConfig c, int B, int T, boolean dropout, String label) {
        return new Activations(backend, c, B, T, dropout, label, true);
    }

    private Activations(Backend backend, GptConfig c, int B, int T, boolean dropout, String label,
                        boolean gradients) {
        this.B = B;
        this.T = T;
        long size = gradients ? gradientElements(c, B, T, dropout) : elements(c, B, T, dropout);
        this.memory = backend.allocate(DType.F32, size, label);
        Carver k = new Carver(memory);
        int N = B * T, C = c.dim();
        int bnhtt = B * c.heads() * T * T;
        bias = c.position().scheme().biasesAttention() ? k.take((long) c.heads() * T * T) : null;
        View stream = null;
        View lastStream = null;
        if (gradients) {
            stream = k.take(N * (long) C);
            lastStream = k.take(N * (long) C);
            encoded = dropout ? k.take(N * (long) C) : stream;
            encodedDrop = stream;
        } else {
            encoded = k.take(N * (long) C);
            encodedDrop = dropout ? k.take(N * (long) C) : encoded;
        }
        layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            View s = l == layers.length - 1 ? lastStream : stream;
            layers[l] = new Layer(k, N, C, bnhtt, dropout, rotary(c), s);
        }
        lossAtty = k.take(N * (long) C);
        lossResidual = gradients ? lastStream : k.take(N * (long) C);
        lnf = k.take(N * (long) C);
        lnfMean = k.take(N);
        lnfRstd = k.take(N);
        logits = k.take(N * (long) c.vocab());
        losses = k.take(N);
    }

    /** Elements the gradient layout holds ({@link #gradients}): no residual-stream views but one, and the last's. */
    static long gradientElements(GptConfig c, int B, int T, boolean dropout) {
        long N = (long) B * T, C = c.dim();
        long bnhtt = (long) B * c.heads() * T * T;
        long drops = dropout ? 1 : 0;
        long rotated = rotary(c) ? 3 : 0;
        long perLayer = N * C * (1 + 3 + rotated + 1 + drops + 1 + 4 + 4 + drops) + 4 * N + 2 * bnhtt;
        long bias = c.position().scheme().biasesAttention() ? (long) c.heads() * T * T : 0;
        return bias + N * C * (2 + drops) + c.layers() * perLayer + 2 * N * C + 2 * N + N * c.vocab() + N;
    }

    /** Elements an Activations of this shape holds (for memory plans, before allocating). */
    public static long elements(GptConfig c, int B, int T, boolean dropout) {
        long N = (long) B * T, C = c.dim();
        long bnhtt = (long) B * c.heads() * T * T;
        long drops = dropout ? 1 : 0;
        long rotated = rotary(c) ? 3 : 0;
        long perLayer = N * C * (1 + 3 + rotated + 1 + 1 + drops + 1 + 1 + 4 + 4 + 1 + drops + 1) + 4 * N + 2 * bnhtt;
        long bias = c.position().scheme().biasesAttention() ? (long) c.heads() * T * T : 0;
        return bias + N * C * (1 + drops) + c.layers() * perLayer + 2 * N * C + N * C + 2 * N + N * c.vocab() + N;
    }

    private static boolean rotary(GptConfig c) {
        return c.position().scheme() == PositionConfig.Scheme.ROPE;
    }

    /** Hands out consecutive views of a memory. */
    private static final class Carver {
        private final Memory memory;
        private long next;

        Carver(Memory memory) {
            this.memory = memory;
        }

        View take(long n) {
            View v = memory.view(next, n);
            next += n;
            return v;
        }
    }
}

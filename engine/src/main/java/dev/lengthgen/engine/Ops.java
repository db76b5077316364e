package dev.lengthgen.engine;

/**
 * The closed set of compute ops every backend implements. The reference backend is the ground truth; every other
 * backend is tested op by op against it (tests module, BackendParity).
 *
 * <p>Conventions (as llm.c): row-major; B batch, T positions, C channels, NH heads, hs = C / NH, V vocabulary,
 * N = B * T rows, OC output channels. A matrix weight of a linear layer is (OC, C), so out = inp . W^T + bias.
 * Backward ops ACCUMULATE (+=) into every gradient they produce, so shared tensors (tied embeddings, the residual
 * stream) sum their contributions; the model zeroes gradients once per step. Scratch arguments ("written") are
 * overwritten. A nullable argument may be {@code null} where its comment says so, and no other. Reductions are
 * deterministic: the same inputs give the same bits on every run of the same backend. Every backend checks a call
 * with {@link OpArguments} before anything else, so a call that breaks this contract fails with the same message
 * everywhere.
 */
public interface Ops {

    // ---- encoder: token embedding + learned absolute position embedding, looked up by explicit position ids ----

    /**
     * out (N,C) written = wte[tokens[n]] + (wpe == null ? 0 : wpe[posIds[n]]).
     * tokens, posIds: I32 (N). wte (V,C). wpe (P,C) or null (schemes without an absolute embedding), and posIds may
     * be null when wpe is. V and P are the views' lengths over C.
     */
    void encoderForward(View out, View tokens, View posIds, View wte, View wpe, int N, int C);

    /** dwte (V,C) +=, dwpe (P,C) += (null when wpe is null, and then posIds may be null), from dout (N,C). */
    void encoderBackward(View dwte, View dwpe, View dout, View tokens, View posIds, int N, int C);

    // ---- layernorm over the last dimension, eps = 1e-5 ----

    /** out (N,C) written, mean (N) written, rstd (N) written; inp (N,C), weight (C), bias (C) or null. */
    void layernormForward(View out, View mean, View rstd, View inp, View weight, View bias, int N, int C);

    /** dinp (N,C) +=, dweight (C) +=, dbias (C) += or null; from dout (N,C), inp, weight, mean, rstd. */
    void layernormBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, View mean,
                           View rstd, int N, int C);

    // ---- linear layer ----

    /** out (N,OC) written = inp (N,C) . weight (OC,C)^T + bias (OC) or null. */
    void matmulForward(View out, View inp, View weight, View bias, int N, int C, int OC);

    /** dinp (N,C) += dout . weight; dweight (OC,C) += dout^T . inp; dbias (OC) += colsum(dout) or null. */
    void matmulBackward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C, int OC);

    // ---- causal multi-head self-attention ----

    /**
     * qkv (B,T,3C) holds q, k, v side by side per token, head h at channels [h*hs, (h+1)*hs) of each.
     * preatt (B,NH,T,T) written: q.k / sqrt(hs) + (bias == null ? 0 : bias[h,t,t2]) for t2 <= t, 0 for t2 > t
     * (so whole buffers compare equal across backends);
     * att (B,NH,T,T) written: causal softmax of preatt (entries t2 > t are 0); out (B,T,C) written = att . v.
     * bias (NH,T,T) or null: the hook for additive relative-position schemes (ALiBi, T5 buckets).
     */
    void attentionForward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH);

    /**
     * dqkv (B,T,3C) +=; dpreatt, datt (B,NH,T,T) scratch, written; dbias (NH,T,T) += summed over the batch, or null.
     * From dout (B,T,C), qkv and att of the forward pass.
     */
    void attentionBackward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att,
                           int B, int T, int C, int NH);

    // ---- relative position schemes: rotary q/k, and an additive attention bias from a bucket table ----

    /**
     * Rotary position embedding (RoPE) by explicit position ids. out (B,T,3C) written; qkv (B,T,3C) as in
     * attentionForward; posIds I32 (B*T), any int in (-2^24, 2^24), e.g. negative to undo a rotation.
     * In every head (hs = C / NH, which must be even) the q and k channels are rotated in interleaved pairs
     * (2i, 2i+1), i in [0, hs/2) (RoFormer / GPT-J convention, not GPT-NeoX's half split), by the angle
     * a = posIds[n] * base^(-2i/hs):
     * out[2i] = x[2i] cos a - x[2i+1] sin a, out[2i+1] = x[2i] sin a + x[2i+1] cos a; the v channels are copied.
     * So q(p).k(p') depends on p - p' only. out may be the same view as qkv (rotation in place). T = 1 rotates one
     * new token (decoding).
     */
    void rotaryForward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH);

    /** dqkv (B,T,3C) += R^T dout for the q and k channels, += dout for v; dout (B,T,3C); as rotaryForward. */
    void rotaryBackward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH);

    /**
     * bias (NH,T,T) written: bias[h,i,j] = table[h, buckets[i*T + j]] for j <= i, 0 for j > i, the additive
     * attention bias of attentionForward (and, with T = maxT, of attentionDecode). table (NH,K); buckets I32 (T*T),
     * values in [0, K) on and below the diagonal, entries above it ignored. T5: a learned table over bucketed
     * distances; ALiBi: a fixed table, table[h,d] = -slope_h * d with buckets[i*T + j] = i - j (K = T).
     */
    void bucketBiasForward(View bias, View table, View buckets, int NH, int T, int K);

    /**
     * dtable (NH,K) += for each k the sum of dbias[h,i,j] (NH,T,T) over j <= i with buckets[i*T + j] == k, in a
     * fixed order.
     */
    void bucketBiasBackward(View dtable, View dbias, View buckets, int NH, int T, int K);

    // ---- elementwise ----

    /** out (N) written = GELU(inp), tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    void geluForward(View out, View inp, int N);

    /** dinp (N) += GELU'(inp) * dout. */
    void geluBackward(View dinp, View inp, View dout, int N);

    /** out (N) written = a + b. */
    void residualForward(View out, View a, View b, int N);

    /** da (N) += dout, db (N) += dout. */
    void residualBackward(View da, View db, View dout, int N);

    /**
     * out (N) written = inp * keep / (1 - p), keep drawn from {@link dev.lengthgen.engine.random.DropoutMask}
     * with the given key: element i of the tensor is kept iff DropoutMask.keep(key, i, p). p = 0 copies; p in [0, 1).
     */
    void dropoutForward(View out, View inp, float p, DropoutKey key, int N);

    /** dinp (N) += dout * keep / (1 - p), the same mask as the forward pass with the same key. */
    void dropoutBackward(View dinp, View dout, float p, DropoutKey key, int N);

    // ---- row selection: the rows of a batch that carry loss ----

    /** out (M,C) written = rows rows[m] of inp (N,C). rows I32 (M), strictly increasing, each in [0, N). */
    void gatherRowsForward(View out, View inp, View rows, int N, int M, int C);

    /** dinp (N,C) += dout (M,C) at rows rows[m] (strictly increasing, so each row of dinp gets at most one). */
    void gatherRowsBackward(View dinp, View dout, View rows, int N, int M, int C);

    // ---- loss ----

    /**
     * Fused softmax + masked cross-entropy over logits (N,V).
     * losses (N) written: mask[n] * -log softmax(logits[n])[targets[n]] (0 where mask is 0);
     * dlogits (N,V) written (or null for evaluation only): dlossScale * mask[n] * (softmax - onehot(target)).
     * targets I32 (N), entries where mask == 0 are ignored (may be anything in [0, V)). mask F32 (N).
     */
    void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask, float dlossScale,
                             int N, int V);

    /** out (1) written = sum of inp (N), in a fixed order. */
    void sum(View out, View inp, long N);

    /** out (1) written = sum of squares of inp (N), in a fixed order (the global gradient norm squared). */
    void sumOfSquares(View out, View inp, long N);

    // ---- optimizer ----

    /**
     * AdamW on one parameter group, in place: params, m, v (N) updated from grads (N).
     * The gradient is first scaled by clip = min(1, maxNorm / (sqrt(normSquared[0]) + 1e-6)) (maxNorm <= 0: no clip),
     * then m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, mhat = m / (1 - b1^t), vhat = v / (1 - b2^t),
     * params -= lr (mhat / (sqrt(vhat) + eps) + weightDecay params). t counts from 1. normSquared (1) may be null
     * when maxNorm <= 0.
     */
    void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr, float beta1,
               float beta2, float eps, float weightDecay, int t, long N);

    // ---- greedy decoding with a KV cache ----

    /**
     * Copies k and v of positions [pos0, pos0 + T) from qkv (B,T,3C) into kcache, vcache (B,NH,maxT,hs).
     */
    void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0);

    /**
     * One new token per sequence at position pos (its k and v already stored): out (B,C) written =
     * softmax(q . K[0..pos]^T / sqrt(hs) + bias[h,pos,0..pos]) . V[0..pos]; q from qkv (B,3C).
     * bias (NH,maxT,maxT) or null, as in attentionForward.
     */
    void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH, int maxT,
                         int pos);

    /** out I32 (N) written = index of the largest of logits[n] (N,V); ties go to the smallest index. */
    void argmax(View out, View logits, int N, int V);

    // ---- plumbing ----

    /** dst written = 0. */
    void zero(View dst);

    /** dst written = src (same length and type). */
    void copy(View dst, View src);
}

package dev.lengthgen.model.train;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.View;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.position.AttentionBias;

/**
 * The only per-step data that goes up to the backend: input token ids, target ids, the loss mask and position ids,
 * each (B, T) flattened row-major, and for the attention-bias schemes (alibi, t5) the bucket of every (query, key)
 * pair (T, T), computed from the first row's position ids (the bias is shared by the batch).
 */
public final class StepInputs {
    public final View tokens;
    public final View targets;
    public final View mask;
    public final View positions;
    /** I32 (T, T) for alibi and t5, else null. */
    public final View buckets;
    private final GptConfig config;
    /** Host copy of the (T, T) buckets, reused every step; null without a bias scheme. */
    private final int[] bucketHost;
    private final int T;

    public StepInputs(Backend backend, GptConfig config, int B, int T, String label) {
        int n = B * T;
        this.config = config;
        this.T = T;
        tokens = backend.allocate(DType.I32, n, label + ".tokens").view();
        targets = backend.allocate(DType.I32, n, label + ".targets").view();
        mask = backend.allocate(DType.F32, n, label + ".mask").view();
        positions = backend.allocate(DType.I32, n, label + ".positions").view();
        buckets = config.position().scheme().biasesAttention()
                ? backend.allocate(DType.I32, (long) T * T, label + ".buckets").view() : null;
        bucketHost = buckets != null ? new int[T * T] : null;
    }

    /** Uploads a batch (whose shape must be this buffer's B x T). */
    public void upload(Backend backend, Batch batch) {
        backend.upload(tokens, batch.tokens());
        backend.upload(targets, batch.targets());
        backend.upload(mask, batch.mask());
        backend.upload(positions, batch.positions());
        if (buckets != null) {
            uploadBuckets(backend, batch.positions(), batch.T());
        }
    }

    /** Buckets of a (T', T') pass (T' <= T) from the first T' position ids given. */
    public void uploadBuckets(Backend backend, int[] firstRowPositions, int T) {
        if (T == this.T) {
            // a training or validation step: the buffers made once, no allocation
            backend.upload(buckets, AttentionBias.buckets(config, firstRowPositions, T, bucketHost));
            return;
        }
        int[] b = AttentionBias.buckets(config, firstRowPositions, T);
        backend.upload(buckets.slice(0, b.length), b);
    }
}

package dev.lengthgen.model.train;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.View;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.position.AttentionBias;

/**
 * The only per-step data that goes up to the backend: input token ids, target ids, the loss mask and position ids,
 * each (B, T) flattened row-major, and for the attention-bias schemes (alibi, t5) the bucket of every (query, key)
 * pair (T, T), computed from the first row's position ids (the bias is shared by the batch). Also the rows that
 * carry loss (mask not 0), ascending, with their targets and mask: the model runs its last block after attention,
 * the final layernorm and the head on those rows only ({@link dev.lengthgen.model.GptModel.Head#LOSS}).
 */
public final class StepInputs {
    public final View tokens;
    public final View targets;
    public final View mask;
    public final View positions;
    /** I32 (T, T) for alibi and t5, else null. */
    public final View buckets;
    /** I32 (B*T): the rows whose mask is not 0, ascending, in the first {@link #lossRowCount()} entries. */
    public final View lossRows;
    /** I32 (B*T): the targets of those rows, in the same order. */
    public final View lossTargets;
    /** F32 (B*T): the mask of those rows, in the same order. */
    public final View lossMask;
    private final int[] lossRowsHost;
    private final int[] lossTargetsHost;
    private final float[] lossMaskHost;
    private int lossRowCount = 1;
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
        lossRows = backend.allocate(DType.I32, n, label + ".lossRows").view();
        lossTargets = backend.allocate(DType.I32, n, label + ".lossTargets").view();
        lossMask = backend.allocate(DType.F32, n, label + ".lossMask").view();
        lossRowsHost = new int[n];
        lossTargetsHost = new int[n];
        lossMaskHost = new float[n];
    }

    /**
     * The rows of the last uploaded batch that carry loss, at least 1: a batch without loss has its first row with
     * mask 0, which adds 0 to the loss and to every gradient.
     */
    public int lossRowCount() {
        return lossRowCount;
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
        uploadLossRows(backend, batch);
    }

    private void uploadLossRows(Backend backend, Batch batch) {
        float[] m = batch.mask();
        int[] t = batch.targets();
        int count = 0;
        for (int r = 0; r < m.length; r++) {
            if (m[r] != 0f) {
                lossRowsHost[count] = r;
                lossTargetsHost[count] = t[r];
                lossMaskHost[count] = m[r];
                count++;
            }
        }
        if (count == 0) {
            lossRowsHost[0] = 0;
            lossTargetsHost[0] = t.length > 0 ? t[0] : 0;
            lossMaskHost[0] = 0f;
            count = 1;
        }
        // the whole host arrays (entries past count are stale, never read): no view is made per step
        backend.upload(lossRows, lossRowsHost);
        backend.upload(lossTargets, lossTargetsHost);
        backend.upload(lossMask, lossMaskHost);
        lossRowCount = count;
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

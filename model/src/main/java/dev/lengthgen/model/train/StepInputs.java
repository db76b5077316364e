package dev.lengthgen.model.train;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.View;

/**
 * The only per-step data that goes up to the backend: input token ids, target ids, the loss mask and position ids,
 * each (B, T) flattened row-major.
 */
public final class StepInputs {
    public final View tokens;
    public final View targets;
    public final View mask;
    public final View positions;

    public StepInputs(Backend backend, int B, int T, String label) {
        int n = B * T;
        tokens = backend.allocate(DType.I32, n, label + ".tokens").view();
        targets = backend.allocate(DType.I32, n, label + ".targets").view();
        mask = backend.allocate(DType.F32, n, label + ".mask").view();
        positions = backend.allocate(DType.I32, n, label + ".positions").view();
    }

    /** Uploads a batch (whose shape must be this buffer's B x T). */
    public void upload(Backend backend, Batch batch) {
        backend.upload(tokens, batch.tokens());
        backend.upload(targets, batch.targets());
        backend.upload(mask, batch.mask());
        backend.upload(positions, batch.positions());
    }
}

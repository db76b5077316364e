package dev.lengthgen.runner.bench;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Batch;

import java.util.List;

/**
 * What one row of {@code bench step} trains: a model at a batch shape (B, T), its optimizer settings and learning
 * rate, and the batches the timed steps cycle through (built before any timing).
 *
 * @param name    the row's label: a preset ("micro") or an experiment ("addition-relative")
 * @param groups  for an experiment, the run groups that train this shape (e.g. "coupling"); empty for a preset
 * @param width   the operand width W of the format the batches are written in
 * @param seed    the model's initialisation and dropout seed
 */
record StepShape(String name, String groups, GptConfig config, int B, int T, int width, AdamWConfig adamw, float lr,
                 List<Batch> batches, long seed) {

    boolean experiment() {
        return !groups.isEmpty();
    }

    /** Batch i of the timed sequence (the list is cycled). */
    Batch batch(int i) {
        return batches.get(i % batches.size());
    }
}

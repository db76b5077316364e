package dev.lengthgen.model.train;

/**
 * AdamW hyper-parameters (the paper's: beta1 0.9, beta2 0.99, eps 1e-8, weight decay 0.1 on matrices only, global
 * gradient-norm clip 1.0). The learning rate comes from an {@link LrSchedule} each step.
 */
public record AdamWConfig(float beta1, float beta2, float eps, float weightDecay, float gradClip) {
    public static AdamWConfig paper() {
        return new AdamWConfig(0.9f, 0.99f, 1e-8f, 0.1f, 1.0f);
    }
}

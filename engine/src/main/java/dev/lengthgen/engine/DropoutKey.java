package dev.lengthgen.engine;

/**
 * Identifies one dropout mask: the run's seed, the optimizer step and which tensor of the step (a small integer the
 * model assigns per dropout site). With the element index as the counter, every backend draws the same mask.
 *
 * <p>A backend reads the three values when an op is called and keeps no reference to the key, so a model may pass
 * one key object per dropout site whose step follows the training step (built once with the task graph; see
 * GptModel) rather than a new key every step. {@link #of} makes a fixed key.
 */
public interface DropoutKey {
    long seed();

    long step();

    int tensor();

    /** A key with fixed values. */
    static DropoutKey of(long seed, long step, int tensor) {
        return new Fixed(seed, step, tensor);
    }

    /** A key with fixed values. */
    record Fixed(long seed, long step, int tensor) implements DropoutKey {
    }
}

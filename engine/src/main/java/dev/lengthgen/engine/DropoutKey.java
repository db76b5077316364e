package dev.lengthgen.engine;

/**
 * Identifies one dropout mask: the run's seed, the optimizer step and which tensor of the step (a small integer the
 * model assigns per dropout site). With the element index as the counter, every backend draws the same mask.
 */
public record DropoutKey(long seed, long step, int tensor) {
}

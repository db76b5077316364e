package dev.lengthgen.runner.reproduce;

import dev.lengthgen.tasks.sampling.DigitSpec;

import java.util.List;

/**
 * What a user may change about a named experiment from the command line.
 *
 * @param seeds     seeds per configuration (0, 1, ..., seeds - 1)
 * @param moduli    the moduli to run, or null for the experiment's default set
 * @param lengths   the test lengths, or null for the scale's
 * @param steps     optimizer steps per run, or null for the scale's
 * @param evalCount test problems per length in the final evaluation, or null for the scale's
 * @param backend   where the runs compute: backend name, device (or null), cpu threads (0 = one per core)
 */
public record ExperimentOptions(Scale scale, int seeds, List<Long> moduli, DigitSpec lengths, Integer steps,
                               Integer evalCount, String backend, String device, int threads) {
}

package dev.lengthgen.runner.cli;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.Format;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;

import java.math.BigInteger;

/**
 * The task and data flags of a command, parsed and checked by {@link TaskOptions#parse}.
 *
 * @param task         operation, base, modulus
 * @param format       how problems are written
 * @param train        --train-digits, or null when not given
 * @param test         --test-digits, or null when not given
 * @param seed         --seed (default 0)
 * @param trainSampler --sampler: the training generator (default a: D_n)
 * @param testSampler  --test-sampler: the test generator (default b: D~_n, both operands n digits)
 * @param trainSize    --train-size: unique training pairs, {@code Dataset.ALL} for all, or null when not given
 * @param balanceLengths --balance-lengths: batches draw each training length at its weight
 */
public record TaskSetup(ArithmeticTask task, Format format, DigitSpec train, DigitSpec test, long seed,
                        Sampler trainSampler, Sampler testSampler, Integer trainSize,
                        boolean balanceLengths) {

    /** The training set size when --train-size is not given (capped at the pairs that exist). */
    public static final int DEFAULT_TRAIN_SIZE = 100_000;

    public Codec codec() {
        return new Codec(task, format);
    }

    /** The training spec, or the fallback when --train-digits was not given. */
    public DigitSpec trainOr(DigitSpec fallback) {
        return train != null ? train : fallback;
    }

    /** The training spec; a usage error naming the flag when it was not given. */
    public DigitSpec requireTrain() throws UsageException {
        if (train == null) {
            throw new UsageException("--train-digits is required (e.g. --train-digits 4 or --train-digits 4,5)");
        }
        return train;
    }

    /**
     * The training set size for a spec: --train-size when given; otherwise {@link #DEFAULT_TRAIN_SIZE}, or 90% of
     * the pairs when the spec's domains hold fewer, so that unseen in-distribution pairs remain for testing.
     */
    public int trainSizeFor(DigitSpec spec) {
        if (trainSize != null) {
            return trainSize;
        }
        BigInteger exist = BigInteger.ZERO;
        for (int n : spec.lengths()) {
            exist = exist.add(trainSampler.pairCount(task.base(), n));
        }
        BigInteger ninety = exist.subtract(exist.divide(BigInteger.TEN));
        return ninety.min(BigInteger.valueOf(DEFAULT_TRAIN_SIZE)).intValueExact();
    }
}

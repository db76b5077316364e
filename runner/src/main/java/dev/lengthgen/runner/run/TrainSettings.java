package dev.lengthgen.runner.run;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.LrSchedule;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.sequence.RandomPadding;
import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.Format;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;

import java.util.List;

/**
 * Everything one training run needs, parsed and validated. `lengthgen train` builds it from flags; experiments build
 * it in code.
 *
 * @param args        the command-line arguments it was built from (stored in config.json so --resume can rebuild it)
 * @param balanceLengths whether batches draw each training length at its weight ({@link Dataset})
 * @param randomPadding how training pads its examples ({@link RandomPadding})
 * @param sampler     the training generator (A: D_n, B: D~_n); testSampler the test sets' generator
 * @param evalSamples test problems per length for the evaluations during training
 */
public record TrainSettings(ArithmeticTask task, Format format, DigitSpec train, DigitSpec test, Sampler sampler,
                            Sampler testSampler, int trainSize, boolean balanceLengths, RandomPadding randomPadding,
                            GptConfig model, int steps, int batch, LrSchedule schedule,
                            AdamWConfig adamw, int evalEvery, int logEvery, int evalSamples, long seed,
                            String backend, String device, int threads, List<String> args) {

    /** Where the run computes. */
    public BackendOptions.Placement placement() {
        return new BackendOptions.Placement(backend, device, threads);
    }

    public Codec codec() {
        return new Codec(task, format);
    }

    /** The run's data: the same training pairs and test sets wherever it is rebuilt (training, evaluation). */
    public Dataset dataset() {
        return new Dataset(task, format, train, sampler, seed, trainSize, balanceLengths);
    }

    /** The longest operand length any part of the run (training or testing) uses. */
    public int maxDigits() {
        return Math.max(train.max(), test.max());
    }

    /** Input positions of a training row: the longest training sequence minus one. */
    public int trainT() {
        return codec().maxSequenceLength(train.max()) - 1;
    }

    /** Positions the decoder must hold: the longest sequence of any tested length, minus the final &lt;eos&gt;. */
    public int decodeT() {
        return codec().maxSequenceLength(maxDigits()) - 1;
    }

    public TrainSettings withSteps(int newSteps) {
        return new TrainSettings(task, format, train, test, sampler, testSampler, trainSize, balanceLengths,
                randomPadding, model, newSteps, batch,
                new LrSchedule(schedule.kind(), schedule.maxLr(), schedule.minLr(), schedule.warmup(), newSteps),
                adamw, evalEvery, logEvery, evalSamples, seed, backend, device, threads, args);
    }
}

package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.sequence.RandomPadding;
import dev.lengthgen.tasks.sampling.DigitSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The training and evaluation settings of one scale for one family of tasks: format width, training mix, test
 * lengths, model, schedule and evaluation sizes. {@link #flags} turns it into the flags of {@code lengthgen train}.
 *
 * @param model        model flags (--preset or --layers/--heads/--dim, --dropout)
 * @param balanced     whether batches draw every training length of the mix at its weight (--balance-lengths)
 * @param evalEvery    steps between the evaluations during training (the time course of accuracy per length)
 * @param evalSamples  test problems per length in those evaluations
 * @param evalCount    test problems per length in the final evaluation
 * @param coupledAnswer for position coupling: operands one digit wider than the longest test, and the answer as wide
 *                     as the operands, so that every answer place has operand places (zeros at least) to couple
 *                     with; without them the last answer digit attends to nothing it was trained on and goes wrong
 * @param randomPadding how training pads its examples (--random-padding K, --random-padding-share F); tests keep W
 */
public record Recipe(int width, String trainDigits, String testDigits, List<String> model, int steps, int batch,
                     float lr, String schedule, float minLr, int warmup, boolean balanced, int evalEvery,
                     int evalSamples, int evalCount, boolean coupledAnswer, RandomPadding randomPadding) {

    /** This recipe with the user's overrides (test lengths widen the format when they need to). */
    public Recipe with(ExperimentOptions o) {
        int w = width;
        String test = testDigits;
        if (o.lengths() != null) {
            test = o.lengths().toString();
            w = Math.max(w, o.lengths().max() + (coupledAnswer ? 1 : 0));
        }
        int n = o.steps() != null ? o.steps() : steps;
        int every = Math.min(evalEvery, n);
        int count = o.evalCount() != null ? o.evalCount() : evalCount;
        return new Recipe(w, trainDigits, test, model, n, batch, lr, schedule, minLr, Math.min(warmup, n / 2),
                balanced, every, evalSamples, count, coupledAnswer, randomPadding);
    }

    public DigitSpec test() {
        return DigitSpec.parse(testDigits);
    }

    /** The flags of {@code lengthgen train} for this recipe (task, position scheme and seed are added by the caller). */
    public List<String> flags() {
        List<String> a = new ArrayList<>();
        add(a, "width", width);
        if (coupledAnswer) {
            add(a, "answer-width", width);
        }
        add(a, "train-digits", trainDigits);
        add(a, "test-digits", testDigits);
        if (balanced) {
            a.add("--balance-lengths");
        }
        if (randomPadding.on()) {
            add(a, "random-padding", randomPadding.narrower());
            if (randomPadding.share() < 1) {
                add(a, "random-padding-share", randomPadding.share());
            }
        }
        a.addAll(model);
        add(a, "steps", steps);
        add(a, "batch", batch);
        add(a, "lr", num(lr));
        add(a, "lr-schedule", schedule);
        if (schedule.equals("cosine")) {
            add(a, "min-lr", num(minLr));
        }
        add(a, "warmup", warmup);
        add(a, "eval-every", evalEvery);
        add(a, "eval-samples", evalSamples);
        add(a, "log-every", Math.max(1, Math.min(50, evalEvery)));
        return a;
    }

    static void add(List<String> a, String flag, Object value) {
        a.add("--" + flag);
        a.add(String.valueOf(value));
    }

    private static String num(float v) {
        return Float.toString(v);
    }
}

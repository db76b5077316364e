package dev.lengthgen.runner.reproduce;

import dev.lengthgen.runner.sequence.RandomPadding;
import dev.lengthgen.tasks.sampling.DigitSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The training and evaluation settings of one scale for one family of tasks: format width, training mix, test
 * lengths, model, schedule and evaluation sizes. {@link #flags} turns it into the flags of {@code lengthgen train}.
 *
 * @param model        model and regularization flags (--preset or --layers/--heads/--dim, --dropout,
 *                     --weight-decay)
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

    /**
     * What every recipe starts from; a recipe names only what it changes ({@code BASE.withWidth(6).withLr(3e-3f)}):
     * the paper's batch 64, cosine decay to 1e-4 after 100 warmup steps, a balanced mix of the training lengths,
     * evaluations every 250 steps on 200 problems per length and 1000 at the end, the format's own answer width,
     * no random padding. Width, lengths, model, steps and rate have no sensible default: every recipe sets them.
     */
    public static final Recipe BASE = new Recipe(0, "", "", List.of(), 0, 64, 0f, "cosine", 1e-4f, 100, true, 250,
            200, 1000, false, RandomPadding.NONE);

    /** This recipe with the user's overrides (test lengths widen the format when they need to). */
    public Recipe with(ExperimentOptions o) {
        Recipe r = this;
        if (o.lengths() != null) {
            r = r.withTestDigits(o.lengths().toString()).withWidth(Math.max(width, o.lengths().max()
                    + (coupledAnswer ? 1 : 0)));
        }
        int n = o.steps() != null ? o.steps() : steps;
        r = r.withSteps(n).withEvalEvery(Math.min(evalEvery, n)).withWarmup(Math.min(warmup, n / 2));
        return o.evalCount() != null ? r.withEvalCount(o.evalCount()) : r;
    }

    /** Operand width W of the format. */
    public Recipe withWidth(int v) {
        return new Recipe(v, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    /** The training lengths (a spec such as "1:1,2:1,3:2"). */
    public Recipe withTrainDigits(String v) {
        return new Recipe(width, v, testDigits, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    /** The test lengths (a spec such as "1-7"). */
    public Recipe withTestDigits(String v) {
        return new Recipe(width, trainDigits, v, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    /** The model flags. */
    public Recipe withModel(List<String> v) {
        return new Recipe(width, trainDigits, testDigits, List.copyOf(v), steps, batch, lr, schedule, minLr, warmup,
                balanced, evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    public Recipe withSteps(int v) {
        return new Recipe(width, trainDigits, testDigits, model, v, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    public Recipe withBatch(int v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, v, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    /** The peak learning rate. */
    public Recipe withLr(float v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, v, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    /** "const" or "cosine" after the warmup. */
    public Recipe withSchedule(String v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, v, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    /** The floor of the cosine schedule. */
    public Recipe withMinLr(float v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, v, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    public Recipe withWarmup(int v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, v, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    public Recipe withBalanced(boolean v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, warmup, v,
                evalEvery, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    public Recipe withEvalEvery(int v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                v, evalSamples, evalCount, coupledAnswer, randomPadding);
    }

    public Recipe withEvalSamples(int v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, v, evalCount, coupledAnswer, randomPadding);
    }

    public Recipe withEvalCount(int v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, v, coupledAnswer, randomPadding);
    }

    public Recipe withCoupledAnswer(boolean v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, v, randomPadding);
    }

    public Recipe withRandomPadding(RandomPadding v) {
        return new Recipe(width, trainDigits, testDigits, model, steps, batch, lr, schedule, minLr, warmup, balanced,
                evalEvery, evalSamples, evalCount, coupledAnswer, v);
    }

    /** The training lengths, parsed (their longest is the n of the theory). */
    public DigitSpec train() {
        return DigitSpec.parse(trainDigits);
    }

    public DigitSpec test() {
        return DigitSpec.parse(testDigits);
    }

    /** The flags of {@code lengthgen train} for this recipe (the caller adds task, position scheme and seed). */
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

package dev.lengthgen.runner.sequence;

import java.util.SplittableRandom;

/**
 * Random padding of training examples ({@code --random-padding K}, {@code --random-padding-share F}): a share F of
 * the examples has its operands padded to a width drawn uniformly from [max(the narrowest that holds it, W - K), W];
 * the others, and every test, are padded to W. Only where the numbers sit in the sequence changes, never the numbers.
 *
 * @param narrower how many digits narrower than W an example may be (0: none)
 * @param share    the share of training examples whose width is drawn, in (0, 1]
 */
public record RandomPadding(int narrower, float share) {
    public static final RandomPadding NONE = new RandomPadding(0, 1);

    public RandomPadding {
        if (narrower < 0) {
            throw new IllegalArgumentException("random padding narrows by 0 or more digits (got " + narrower + ")");
        }
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("the share of randomly padded examples must be in (0, 1] (got " + share
                    + ")");
        }
    }

    public boolean on() {
        return narrower > 0;
    }

    /**
     * The operand width of one training example. With a share of 1 it takes one draw from rng, so runs written before
     * the share existed draw the same widths.
     */
    int draw(int narrowest, int widest, SplittableRandom rng) {
        if (share < 1 && rng.nextDouble() >= share) {
            return widest;
        }
        int lo = Math.max(narrowest, widest - narrower);
        return lo + rng.nextInt(widest - lo + 1);
    }
}

package dev.lengthgen.tasks.theory;

import dev.lengthgen.tasks.eval.LengthLabel;

import java.math.BigInteger;

/**
 * The predicted exact-match accuracy at one test length of a model that learned the truncated function f^:
 * the fraction of test pairs on which f^(a, b) equals the true answer f(a, b).
 *
 * @param digits    the test length m
 * @param label     ID, inward or outward
 * @param predicted the fraction in [0, 1]
 * @param method    exact (counted over every pair of the test domain) or sampled
 * @param agreeing  pairs on which f^ = f (counted over the domain, or among the samples)
 * @param total     pairs of the domain, or the number of samples
 */
public record Prediction(int digits, LengthLabel label, double predicted, Method method, BigInteger agreeing,
                         BigInteger total) {
}

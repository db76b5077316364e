package dev.lengthgen.tasks.eval;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.Radix;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.sampling.DigitSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a model's answers for one test length: exact match, match against f^ and per-place accuracy.
 *
 * <p>Answers are compared as written (reversed and padded per the format). Exact match and the f^ match compare
 * whole strings. Per-place accuracy compares digit values place by place (place 1 = units), reading a place that a
 * string does not reach as 0, so padded and unpadded formats score alike; a non-digit character at a place is
 * wrong. It reports places 1 up to one past the longest significant part (highest nonzero digit or non-digit
 * character) of any truth or prediction, so a spurious extra digit shows up as an error at its place.
 */
public final class Scorer {
    private final Codec codec;

    public Scorer(Codec codec) {
        this.codec = codec;
    }

    /** Scores against the training spec: label from it, f^ at its longest length. */
    public LengthResult score(int digits, DigitSpec train, List<Problem> problems, List<String> predictions) {
        return score(digits, LengthLabel.of(digits, train), problems, predictions, train.max());
    }

    /**
     * Scores predicted answers.
     *
     * @param truncationDigits the training length n of f^ (for a mix, its longest length); 0 for no f^ score
     * @param predictions      the answers as the model wrote them (see {@link Codec#decodeAnswer})
     */
    public LengthResult score(int digits, LengthLabel label, List<Problem> problems, List<String> predictions,
                              int truncationDigits) {
        if (problems.size() != predictions.size()) {
            throw new IllegalArgumentException(problems.size() + " problems but " + predictions.size()
                    + " predictions");
        }
        ArithmeticTask task = codec.task();
        int count = problems.size();
        int exact = 0;
        int fhat = 0;
        List<int[]> truthPlaces = new ArrayList<>(count);
        List<int[]> predictedPlaces = new ArrayList<>(count);
        int places = 0;
        for (int i = 0; i < count; i++) {
            Problem p = problems.get(i);
            String truth = codec.answer(p);
            String predicted = predictions.get(i) == null ? "" : predictions.get(i);
            if (truth.equals(predicted)) {
                exact++;
            }
            if (truncationDigits > 0 && predicted.equals(
                    codec.writeAnswer(task.truncated(p.a(), p.b(), truncationDigits)))) {
                fhat++;
            }
            int[] t = digitsByPlace(truth);
            int[] q = digitsByPlace(predicted);
            truthPlaces.add(t);
            predictedPlaces.add(q);
            places = Math.max(places, Math.max(significant(t), significant(q)));
        }
        places += 1;
        double[] perPlace = new double[count == 0 ? 0 : places];
        for (int k = 0; k < perPlace.length; k++) {
            int right = 0;
            for (int i = 0; i < count; i++) {
                if (at(truthPlaces.get(i), k) == at(predictedPlaces.get(i), k)) {
                    right++;
                }
            }
            perPlace[k] = (double) right / count;
        }
        return new LengthResult(digits, label, count, count == 0 ? Double.NaN : (double) exact / count,
                truncationDigits > 0 && count > 0 ? (double) fhat / count : Double.NaN, perPlace);
    }

    /** Scores generated token ids (the tokens after '='), decoded with {@link Codec#decodeAnswer}. */
    public LengthResult scoreIds(int digits, LengthLabel label, List<Problem> problems, List<int[]> generated,
                                 int truncationDigits) {
        List<String> predictions = new ArrayList<>(generated.size());
        for (int[] ids : generated) {
            predictions.add(codec.decodeAnswer(ids));
        }
        return score(digits, label, problems, predictions, truncationDigits);
    }

    /** Digit values by place (index 0 = units); -1 for a non-digit character. */
    private int[] digitsByPlace(String written) {
        int n = written.length();
        int[] out = new int[n];
        boolean reversed = codec.format().reverseAnswer();
        for (int k = 0; k < n; k++) {
            char c = written.charAt(reversed ? k : n - 1 - k);
            out[k] = Radix.digitValue(c, codec.task().base());
        }
        return out;
    }

    private static int significant(int[] byPlace) {
        for (int k = byPlace.length - 1; k >= 0; k--) {
            if (byPlace[k] != 0) {
                return k + 1;
            }
        }
        return 1;
    }

    private static int at(int[] byPlace, int k) {
        return k < byPlace.length ? byPlace[k] : 0;
    }
}

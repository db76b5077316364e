package dev.lengthgen.runner.evaluation;

import dev.lengthgen.model.GptModel;
import dev.lengthgen.runner.run.StopRequest;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.runner.sequence.Predictor;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.eval.LengthResult;
import dev.lengthgen.tasks.eval.Scorer;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.theory.TruncationTheory;

import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation protocol of one model: for each test length, a fixed test set from the run's own dataset (so it is
 * disjoint from the training pairs), greedy answers, and the scores: exact match, accuracy against the truncated
 * function f^, per-place accuracy, the ID / inward / outward label, and the theory's prediction beside them (for
 * models with absolute positions).
 */
public final class Evaluation {

    /**
     * One test length's measurement, the theory's prediction for it (NaN where it makes none), and its first wrong
     * answers in test-set order (as many as asked for).
     */
    public record Row(LengthResult result, double predicted, List<Mistake> mistakes) {
    }

    /** A wrong answer: the problem, the true answer and the model's, both as written in the sequence. */
    public record Mistake(Problem problem, String expected, String answered) {
    }

    private Evaluation() {
    }

    public static List<Row> run(GptModel model, TrainSettings s, DigitSpec lengths, int count, int batch) {
        return run(model, s, lengths, count, batch, 0, null);
    }

    /** As {@link #run(GptModel, TrainSettings, DigitSpec, int, int)}, keeping up to {@code mistakes} per length. */
    public static List<Row> run(GptModel model, TrainSettings s, DigitSpec lengths, int count, int batch,
                                int mistakes) {
        return run(model, s, lengths, count, batch, mistakes, null);
    }

    /**
     * As {@link #run(GptModel, TrainSettings, DigitSpec, int, int)}, giving up between two test lengths once
     * {@code stop} (may be null) is requested.
     *
     * @return the rows, or null when stopped
     */
    public static List<Row> run(GptModel model, TrainSettings s, DigitSpec lengths, int count, int batch,
                                StopRequest stop) {
        return run(model, s, lengths, count, batch, 0, stop);
    }

    private static List<Row> run(GptModel model, TrainSettings s, DigitSpec lengths, int count, int batch,
                                 int mistakes, StopRequest stop) {
        Dataset dataset = s.dataset();
        int longest = s.codec().maxSequenceLength(Math.max(lengths.max(), s.train().max()));
        Predictor predictor = new Predictor(model, s.codec(), batch, longest);
        Scorer scorer = new Scorer(s.codec());
        // The truncation argument assumes each place is read at a fixed position; under the other schemes the theory
        // makes no prediction (for addition it expects the true function, not f^).
        TruncationTheory theory = model.config.position().absolute()
                ? new TruncationTheory(s.task(), s.train(), s.testSampler(), s.seed()) : null;
        List<Row> rows = new ArrayList<>();
        for (int d : lengths.lengths()) {
            if (stop != null && stop.requested()) {
                return null;
            }
            List<Problem> problems = dataset.testSet(d, count, s.testSampler());
            List<String> answers = predictor.answers(problems);
            LengthResult r = scorer.score(d, s.train(), problems, answers);
            List<Mistake> wrong = new ArrayList<>();
            for (int i = 0; i < problems.size() && wrong.size() < mistakes; i++) {
                String truth = s.codec().answer(problems.get(i));
                String answered = answers.get(i) == null ? "" : answers.get(i);
                if (!truth.equals(answered)) {
                    wrong.add(new Mistake(problems.get(i), truth, answered));
                }
            }
            rows.add(new Row(r, predicted(theory, d), wrong));
        }
        return rows;
    }

    /** The theory's exact-match prediction at d digits; NaN without a theory or where it makes none. */
    private static double predicted(TruncationTheory theory, int d) {
        if (theory == null) {
            return Double.NaN;
        }
        try {
            return theory.predict(d).predicted();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}

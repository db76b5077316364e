package dev.lengthgen.runner.run;

import dev.lengthgen.runner.cli.UsageException;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The best evaluation of a run so far: the one best.safetensors holds, and the score a later evaluation must beat
 * to replace it (higher in-distribution exact match; at equal exact match, lower validation loss). Every checkpoint
 * carries it in its metadata, so a resumed run keeps comparing against the best of the whole run, not of the
 * process.
 *
 * @param step    the step of that evaluation; 0 before the first
 * @param exact   its in-distribution exact match; -1 before the first, so that any evaluation beats it
 * @param valLoss its validation loss
 */
public record BestScore(int step, double exact, double valLoss) {
    /** Before the first evaluation. */
    public static final BestScore NONE = new BestScore(0, -1, Double.POSITIVE_INFINITY);
    static final String STEP = "lengthgen.best.step";
    static final String EXACT = "lengthgen.best.exact";
    static final String VAL_LOSS = "lengthgen.best.val_loss";
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[1-9][0-9]{0,9}");

    /** Whether an evaluation with these scores replaces this best. */
    public boolean beatenBy(double otherExact, double otherValLoss) {
        return otherExact > exact || (otherExact == exact && otherValLoss < valLoss);
    }

    /** Adds this score to a checkpoint's metadata (nothing before the first evaluation). */
    void addTo(Map<String, String> metadata) {
        if (step > 0) {
            metadata.put(STEP, Integer.toString(step));
            metadata.put(EXACT, Double.toString(exact)); // Double.toString reads back to the same double
            metadata.put(VAL_LOSS, Double.toString(valLoss));
        }
    }

    /**
     * The best score a checkpoint of step {@code checkpointStep} recorded: {@link #NONE} when it records none (saved
     * by an earlier version); refused when the fields are partial or out of range.
     */
    static BestScore read(Map<String, String> metadata, int checkpointStep, String source, String fix)
            throws UsageException {
        String step = metadata.get(STEP), exact = metadata.get(EXACT), valLoss = metadata.get(VAL_LOSS);
        if (step == null && exact == null && valLoss == null) {
            return NONE;
        }
        String bad = source + " has an invalid best score in its metadata (" + STEP + " " + step + ", " + EXACT + " "
                + exact + ", " + VAL_LOSS + " " + valLoss + "): " + fix;
        if (step == null || exact == null || valLoss == null || !WHOLE_NUMBER.matcher(step).matches()
                || Long.parseLong(step) > checkpointStep) {
            throw new UsageException(bad);
        }
        try {
            double e = Double.parseDouble(exact), v = Double.parseDouble(valLoss);
            if (!(e >= 0 && e <= 1) || !(v >= 0) || !exact.equals(Double.toString(e))
                    || !valLoss.equals(Double.toString(v))) {
                throw new UsageException(bad);
            }
            return new BestScore(Integer.parseInt(step), e, v);
        } catch (NumberFormatException notNumbers) {
            throw new UsageException(bad);
        }
    }
}

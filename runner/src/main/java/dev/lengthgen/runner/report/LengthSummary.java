package dev.lengthgen.runner.report;

/**
 * One test length of one group: its scores over the group's finished seeds.
 *
 * @param label     "id", "inward" or "outward" as the runs recorded it
 * @param exact     exact match over seeds
 * @param fhat      accuracy against f^ over the seeds that measured it; null when none did
 * @param predicted the theory's prediction (mean over seeds, as each seed's test sample gives it); null where the
 *                  theory makes none
 * @param perPlace  mean accuracy per answer place over seeds, index 0 = units; NaN where no seed has that place
 */
public record LengthSummary(int digits, String label, Spread exact, Spread fhat, Double predicted,
                            double[] perPlace) {

    public int seeds() {
        return exact.n();
    }
}

package dev.lengthgen.model.train;

/**
 * Learning rate per optimizer step (steps count from 1): linear warmup over {@code warmup} steps to {@code maxLr},
 * then either constant or a half-cosine decay from {@code maxLr} to {@code minLr} at {@code totalSteps}
 * (nanoGPT's get_lr).
 */
public record LrSchedule(Kind kind, float maxLr, float minLr, int warmup, int totalSteps) {

    public enum Kind {
        CONST, COSINE;

        public static Kind parse(String s) {
            switch (s) {
                case "const":
                case "constant":
                    return CONST;
                case "cosine":
                    return COSINE;
                default:
                    throw new IllegalArgumentException("unknown --lr-schedule '" + s + "': use const or cosine");
            }
        }
    }

    public float at(int step) {
        if (warmup > 0 && step <= warmup) {
            return maxLr * step / warmup;
        }
        if (kind == Kind.CONST || totalSteps <= warmup) {
            return maxLr;
        }
        if (step >= totalSteps) {
            return minLr;
        }
        double progress = (double) (step - warmup) / (totalSteps - warmup);
        double coeff = 0.5 * (1.0 + Math.cos(Math.PI * progress));
        return (float) (minLr + coeff * (maxLr - minLr));
    }
}

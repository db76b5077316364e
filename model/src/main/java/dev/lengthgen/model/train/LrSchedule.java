package dev.lengthgen.model.train;

import dev.lengthgen.model.config.InvalidConfigException;

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
                    throw new InvalidConfigException("unknown {kind} '" + s + "': use const or cosine");
            }
        }
    }

    /**
     * Checks the schedule and returns it: rates and warmup not negative, and a cosine schedule that decays (its floor
     * at most its peak), so that the rate never rises after the warmup.
     */
    public LrSchedule validate() {
        if (!(maxLr >= 0f) || !(minLr >= 0f) || warmup < 0 || totalSteps < 1) {
            throw new InvalidConfigException("{maxLr} and {minLr} must be 0 or more, {warmup} 0 or more and "
                    + "{totalSteps} at least 1 (got " + this + ")");
        }
        if (kind == Kind.COSINE && minLr > maxLr) {
            throw new InvalidConfigException("{minLr} " + minLr + " is above {maxLr} " + maxLr + ": the cosine schedule"
                    + " would rise after warmup; lower {minLr} or raise {maxLr}");
        }
        return this;
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

package dev.lengthgen.runner.reproduce;

import java.util.Locale;

/**
 * How big an experiment's models and training are: {@link #TINY} finishes on a 2-core laptop in minutes per run;
 * {@link #PAPER} is the paper's configuration (W = 20, the mini preset, batch 64, its schedule), meant for a GPU.
 */
public enum Scale {
    TINY, PAPER;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scale parse(String s) {
        for (Scale v : values()) {
            if (v.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown scale '" + s + "': use tiny or paper");
    }
}

package dev.lengthgen.tasks.theory;

import java.util.Locale;

/** How a prediction was computed: exact counting over the test domain, or a seeded sample of it. */
public enum Method {
    EXACT, SAMPLED;

    /** "exact" or "sampled". */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

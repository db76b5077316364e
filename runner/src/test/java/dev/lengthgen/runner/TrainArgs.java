package dev.lengthgen.runner;

import java.util.ArrayList;
import java.util.List;

/** The arguments of a `lengthgen train` from a test's base settings, as a user edits a command line. */
public final class TrainArgs {
    private TrainArgs() {
    }

    /**
     * {@code train} with the base flags; each flag of {@code more} that the base has replaces its value there, the
     * others are added.
     */
    public static String[] train(List<String> base, String... more) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(base);
        for (int i = 0; i < more.length; i++) {
            int at = a.indexOf(more[i]);
            boolean valued = i + 1 < more.length && !more[i + 1].startsWith("--");
            if (at >= 0 && valued) {
                a.set(at + 1, more[++i]);
            } else {
                a.add(more[i]);
                if (valued) {
                    a.add(more[++i]);
                }
            }
        }
        return a.toArray(new String[0]);
    }
}

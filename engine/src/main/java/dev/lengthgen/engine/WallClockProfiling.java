package dev.lengthgen.engine;

import dev.lengthgen.engine.graph.Profile;

/**
 * Profiling for backends whose ops complete before they return (reference, cpu): a task's time is the wall-clock
 * time between its begin and end marks.
 */
public abstract class WallClockProfiling implements Backend {
    private final Profile profile = new Profile();
    private boolean profiling;
    private long taskStart;

    @Override
    public void beginTask(String name) {
        if (profiling) {
            finish();
            taskStart = System.nanoTime();
        }
    }

    @Override
    public void endTask(String name) {
        if (profiling) {
            finish();
            profile.record(name, System.nanoTime() - taskStart);
        }
    }

    @Override
    public void setProfiling(boolean on) {
        profiling = on;
    }

    @Override
    public Profile profile() {
        return profile;
    }

    @Override
    public void resetProfile() {
        profile.clear();
    }
}

package dev.lengthgen.runner.run;

/**
 * A request, from another thread (a signal's shutdown hook, a scheduler's warning), that a training run stop at its
 * next step boundary: it saves its latest checkpoint there (with the metrics of every step logged so far already
 * written) and returns, so that a resume continues exactly as if it had never stopped.
 */
public final class StopRequest {
    private volatile boolean requested;

    /** Asks the run to stop at its next step boundary. */
    public void request() {
        requested = true;
    }

    public boolean requested() {
        return requested;
    }
}

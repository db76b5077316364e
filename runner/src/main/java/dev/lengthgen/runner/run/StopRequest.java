package dev.lengthgen.runner.run;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request, from another thread (a signal's shutdown hook, a scheduler's warning), that a training run stop at its
 * next step boundary: it saves its latest checkpoint there (with the metrics of every step logged so far already
 * written) and returns, so that a resume continues exactly as if it had never stopped.
 */
public final class StopRequest {
    private volatile boolean requested;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Asks the run to stop at its next step boundary. */
    public void request() {
        requested = true;
    }

    public boolean requested() {
        return requested;
    }

    /** Called by the training loop when it returns, however it returns. */
    void loopEnded() {
        stopped.countDown();
    }

    /**
     * Asks the run to stop and waits until its loop has returned (its checkpoint saved), at most {@code seconds}.
     *
     * @return whether it returned in time
     */
    public boolean requestAndWait(long seconds) throws InterruptedException {
        request();
        return stopped.await(seconds, TimeUnit.SECONDS);
    }
}

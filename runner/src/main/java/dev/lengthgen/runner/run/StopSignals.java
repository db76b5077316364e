package dev.lengthgen.runner.run;

import sun.misc.Signal;

import java.io.PrintStream;
import java.util.List;

/**
 * Turns signals into a {@link StopRequest}: the run in progress saves its checkpoint at its next step boundary and
 * its process exits by itself, with a code that says it stopped resumably. This is what a run under a scheduler
 * needs, where a signal is a warning to be acted on, not an order to die: Slurm sends SIGTERM to every process of a
 * job it preempts, requeues or cancels (and SIGKILL only KillWait seconds later), and a job script passes on the
 * SIGUSR1 that it asked for as its time-limit warning. The JVM's own handling of SIGTERM and SIGINT (start shutting
 * down) is replaced, so the process ends when the run has stopped, not when the signal arrives; a second signal is
 * harmless (a job script that forwards Slurm's SIGTERM makes the run get it twice).
 *
 * <p>sun.misc.Signal (module jdk.unsupported, present and exported in every JDK since 9) is the only way for Java
 * code to handle SIGUSR1 at all; javac names it an internal API in a warning.
 */
public final class StopSignals {
    private StopSignals() {
    }

    /**
     * Installs the handlers and returns the request they set. A signal the JVM reserves for itself (none of these on
     * HotSpot, but SIGINT and SIGTERM under -Xrs) is left as it was.
     *
     * @param names signal names without "SIG", e.g. "TERM", "USR1"
     * @param out   where each signal is announced, as it arrives
     */
    public static StopRequest install(List<String> names, PrintStream out) {
        StopRequest stop = new StopRequest();
        for (String name : names) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (!stop.requested()) {
                        out.println("SIG" + signal.getName() + ": stopping at the next step boundary, with a "
                                + "checkpoint");
                    }
                    stop.request();
                });
            } catch (IllegalArgumentException reserved) {
                // left to the JVM
            }
        }
        return stop;
    }
}

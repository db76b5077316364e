package dev.lengthgen.runner.run;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns signals into a {@link StopRequest}: the run in progress saves its checkpoint at its next step boundary and
 * its process exits by itself, with a code that says it stopped resumably. This is what a run under a scheduler
 * needs, where a signal is a warning to act on, not an order to die: Slurm sends SIGTERM to every process of a job it
 * preempts, requeues or cancels (and SIGKILL only KillWait seconds later), and a job script passes on the SIGUSR1
 * that it asked for as its time-limit warning. While installed, the JVM's own handling of SIGTERM and SIGINT (start
 * shutting down) is replaced, so the process ends when the run has stopped, not when the signal arrives; a second
 * signal is harmless (a job script that forwards Slurm's SIGTERM makes the run get it twice). {@link #close} puts
 * the previous handlers back.
 *
 * <p>sun.misc.Signal (module jdk.unsupported, present and exported in every JDK since 9) is the only way for Java
 * code to handle SIGUSR1 at all; javac names it an internal API in a warning.
 */
public final class StopSignals implements AutoCloseable {
    private final StopRequest request = new StopRequest();
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    private StopSignals() {
    }

    /**
     * Installs the handlers. A signal the JVM keeps for itself (SIGINT and SIGTERM under -Xrs) is left as it was.
     *
     * @param names signal names without "SIG", e.g. "TERM", "USR1"
     * @param out   where each signal is announced, as it arrives
     */
    public static StopSignals install(List<String> names, PrintStream out) {
        StopSignals s = new StopSignals();
        for (String name : names) {
            Signal signal = new Signal(name);
            try {
                s.previous.put(signal, Signal.handle(signal, arrived -> {
                    if (!s.request.requested()) {
                        out.println("SIG" + arrived.getName() + ": stopping at the next step boundary, with a "
                                + "checkpoint");
                    }
                    s.request.request();
                }));
            } catch (IllegalArgumentException reserved) {
                // left to the JVM
            }
        }
        return s;
    }

    /** The request the signals set. */
    public StopRequest request() {
        return request;
    }

    /** Puts back the handlers there were before. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}

package dev.lengthgen.runner.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of a set of threads (the calling thread and a backend's workers) from the JVM's per-thread clocks. On a
 * shared machine a step's wall time includes the time other processes held its core; its CPU time does not, so for
 * a one-thread run it is the steadier measure of the work. Reads -1 where the JVM does not measure thread CPU time.
 */
final class CpuClock {
    private final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    private final long[] ids;
    private final boolean supported;

    CpuClock(Thread caller, Thread[] workers) {
        ids = new long[1 + workers.length];
        ids[0] = caller.getId();
        for (int i = 0; i < workers.length; i++) {
            ids[i + 1] = workers[i].getId();
        }
        boolean ok = bean.isThreadCpuTimeSupported();
        if (ok && !bean.isThreadCpuTimeEnabled()) {
            bean.setThreadCpuTimeEnabled(true);
        }
        supported = ok;
    }

    /** CPU nanoseconds so far of all the threads together, or -1. */
    long nanos() {
        if (!supported) {
            return -1;
        }
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, bean.getThreadCpuTime(id));
        }
        return sum;
    }
}

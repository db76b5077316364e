package dev.lengthgen.runner.bench;

import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated on the Java heap by a set of threads (the calling thread and a backend's workers), from the JVM's
 * per-thread allocation counters (com.sun.management.ThreadMXBean). Reads -1 where the JVM does not count. Reading
 * allocates nothing, so a measured interval holds only what the measured code allocated.
 */
final class AllocationMeter {
    private final ThreadMXBean bean;
    private final long[] ids;

    AllocationMeter(Thread caller, Thread[] workers) {
        var b = ManagementFactory.getThreadMXBean();
        this.bean = b instanceof ThreadMXBean ? (ThreadMXBean) b : null;
        if (bean != null && bean.isThreadAllocatedMemorySupported() && !bean.isThreadAllocatedMemoryEnabled()) {
            bean.setThreadAllocatedMemoryEnabled(true);
        }
        ids = new long[1 + workers.length];
        ids[0] = caller.getId();
        for (int i = 0; i < workers.length; i++) {
            ids[i + 1] = workers[i].getId();
        }
    }

    boolean supported() {
        return bean != null && bean.isThreadAllocatedMemorySupported();
    }

    /** Allocated bytes so far into out[0] (the caller) and out[1] (all workers together). */
    void read(long[] out) {
        if (!supported()) {
            out[0] = -1;
            out[1] = -1;
            return;
        }
        long caller = bean.getThreadAllocatedBytes(ids[0]);
        long workers = 0;
        for (int i = 1; i < ids.length; i++) {
            workers += Math.max(0, bean.getThreadAllocatedBytes(ids[i]));
        }
        out[0] = caller;
        out[1] = workers;
    }
}

package dev.lengthgen.runner.bench;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated on the Java heap by a set of threads (the calling thread and a backend's workers), from the JVM's
 * per-thread allocation counters (com.sun.management.ThreadMXBean). Reads -1 where the JVM does not count.
 */
final class AllocationMeter {
    private final com.sun.management.ThreadMXBean bean;
    private final long[] ids;

    AllocationMeter(Thread caller, Thread[] workers) {
        java.lang.management.ThreadMXBean b = ManagementFactory.getThreadMXBean();
        this.bean = b instanceof com.sun.management.ThreadMXBean ? (com.sun.management.ThreadMXBean) b : null;
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

    /** Allocated bytes so far: [0] the caller, [1] all workers together. */
    long[] read() {
        if (!supported()) {
            return new long[]{-1, -1};
        }
        long[] per = bean.getThreadAllocatedBytes(ids);
        long workers = 0;
        for (int i = 1; i < per.length; i++) {
            workers += Math.max(0, per[i]);
        }
        return new long[]{per[0], workers};
    }
}

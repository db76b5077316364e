package dev.lengthgen.engine.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that run one job at a time, the calling thread taking part as worker 0.
 *
 * <p>Ops arrive back to back (hundreds per training step, some of them a few microseconds long), so idle workers
 * spin for a short while before parking: waking a parked thread costs tens of microseconds, which would dominate
 * small ops. Dispatch allocates nothing.
 *
 * <p>Determinism is the caller's business: a job must split its work so that no result depends on which worker
 * computed it or in which order workers finished (see {@link #forEach}).
 */
public final class WorkerPool implements AutoCloseable {

    /** Work split by the job itself: called once on every worker, worker in [0, workers). */
    public interface Job {
        void run(int worker, int workers);
    }

    /** One of {@code count} independent tasks; {@code worker} names the caller's scratch space. */
    public interface Task {
        void run(int task, int worker);
    }

    /** How long an idle worker spins before parking, in nanoseconds. */
    private static final long SPIN_NANOS = 200_000;

    private final int workers;
    private final Thread[] threads;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Job job;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    // forEach as a reusable job, so that dispatching it allocates nothing
    private final AtomicInteger nextTask = new AtomicInteger();
    private Task tasks;
    private int taskCount;
    private final Job taskJob = (worker, workers) -> {
        Task t = tasks;
        int n = taskCount;
        for (int k = nextTask.getAndIncrement(); k < n; k = nextTask.getAndIncrement()) {
            t.run(k, worker);
        }
    };

    /** @param workers total workers including the calling thread; at least 1 */
    public WorkerPool(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one worker, got " + workers);
        }
        this.workers = workers;
        this.threads = new Thread[workers - 1];
        for (int w = 1; w < workers; w++) {
            final int id = w;
            Thread t = new Thread(() -> loop(id), "lengthgen-cpu-worker-" + w);
            t.setDaemon(true);
            threads[w - 1] = t;
            t.start();
        }
    }

    public int workers() {
        return workers;
    }

    /** The threads of this pool other than the caller (for allocation accounting). */
    public Thread[] threads() {
        return threads.clone();
    }

    /** Runs {@code j} on every worker and returns when all have finished. Not re-entrant. */
    public void run(Job j) {
        if (workers == 1) {
            j.run(0, 1);
            return;
        }
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        failure = null;
        job = j;
        pending.set(workers - 1);
        generation++;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        Throwable own = null;
        try {
            j.run(0, workers);
        } catch (Throwable e) {
            own = e;
        }
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < 1 << 16) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        job = null;
        Throwable f = own != null ? own : failure;
        if (f != null) {
            if (f instanceof RuntimeException) {
                throw (RuntimeException) f;
            }
            if (f instanceof Error) {
                throw (Error) f;
            }
            throw new RuntimeException(f);
        }
    }

    /**
     * Runs tasks 0..count-1, each exactly once, handed out dynamically to whichever worker is free. Results are
     * deterministic as long as each task writes only its own outputs. Not re-entrant: a task must not call forEach.
     */
    public void forEach(int count, Task task) {
        if (count <= 0) {
            return;
        }
        if (tasks != null) {
            throw new IllegalStateException("WorkerPool.forEach called from inside one of its own tasks");
        }
        tasks = task;
        taskCount = count;
        nextTask.set(0);
        try {
            if (workers == 1 || count == 1) {
                // On the calling thread alone, still through taskJob, which reads the task back from a field after
                // the volatile write above: C2 then calls task.run as a compiled method of its own, as the workers
                // do. Called directly here, C2 inlined the task's exact class into its caller (Elementwise.dispatch
                // -> forEach -> run -> geluBackward -> VectorMath.exp, a dozen levels), and in some runs that deep
                // compile left a Vector API reinterpret unintrinsified for good: the boxed vectors of the last
                // block's GELU backward allocated 289 KB per step on the calling thread (StepAllocationTest).
                taskJob.run(0, 1);
            } else {
                run(taskJob);
            }
        } finally {
            tasks = null;
        }
    }

    private void loop(int id) {
        int seen = 0;
        while (true) {
            long spinStart = System.nanoTime();
            int g;
            while ((g = generation) == seen && !closed) {
                if (System.nanoTime() - spinStart < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = g;
            Job j = job;
            try {
                j.run(id, workers);
            } catch (Throwable e) {
                failure = e;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    /** First index of worker {@code w}'s share when [0, n) is cut into {@code workers} contiguous parts. */
    public static int split(int n, int w, int workers) {
        return (int) ((long) n * w / workers);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }
}

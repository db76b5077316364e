package dev.lengthgen.engine.graph;

import dev.lengthgen.engine.Backend;

import java.util.List;
import java.util.function.Predicate;

/**
 * A task graph bound to a backend. {@link #execute()} enqueues every task in order; with profiling on, the backend
 * attributes device time to each task by name ({@link Backend#profile()}).
 */
public final class ExecutionPlan {
    private final TaskGraph graph;
    private final Backend backend;

    ExecutionPlan(TaskGraph graph, Backend backend) {
        this.graph = graph;
        this.backend = backend;
    }

    public TaskGraph graph() {
        return graph;
    }

    public Backend backend() {
        return backend;
    }

    /** Runs every task in order. Allocates nothing (indexed loop: no iterator). */
    public void execute() {
        List<Task> tasks = graph.tasks();
        for (int i = 0, n = tasks.size(); i < n; i++) {
            run(tasks.get(i));
        }
    }

    /**
     * Runs tasks in order, calling {@code afterEach} after each one (after waiting for it); stops early and returns
     * the task's name when the callback answers false, else returns null. Used to compare two backends task by task.
     */
    public String executeUntil(Predicate<Task> afterEach) {
        for (Task task : graph.tasks()) {
            run(task);
            backend.finish();
            if (!afterEach.test(task)) {
                return task.name();
            }
        }
        return null;
    }

    private void run(Task task) {
        backend.beginTask(task.name());
        try {
            task.body().run();
        } finally {
            backend.endTask(task.name());
        }
    }
}

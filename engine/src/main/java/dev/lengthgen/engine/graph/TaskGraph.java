package dev.lengthgen.engine.graph;

import dev.lengthgen.engine.Backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered graph of named tasks over resident buffers, built once (per config and batch shape) and executed every
 * step, after TornadoVM's TaskGraph: data stays on the device between tasks and between executions; only what the
 * caller uploads or downloads around {@link ExecutionPlan#execute()} crosses the bus. Tasks run in insertion order,
 * which is a valid topological order because each task only reads what earlier tasks wrote.
 */
public final class TaskGraph {
    private final String name;
    private final List<Task> tasks = new ArrayList<>();
    private final List<Task> readOnly = Collections.unmodifiableList(tasks);
    private final Set<String> names = new HashSet<>();

    public TaskGraph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Adds a task with unknown work. */
    public TaskGraph task(String taskName, Runnable body) {
        return task(taskName, 0, 0, body);
    }

    public TaskGraph task(String taskName, double flops, double bytes, Runnable body) {
        if (!names.add(taskName)) {
            throw new IllegalArgumentException("task graph " + name + " already has a task named " + taskName);
        }
        tasks.add(new Task(taskName, flops, bytes, body));
        return this;
    }

    /** The tasks in order (a read-only view that follows later additions). */
    public List<Task> tasks() {
        return readOnly;
    }

    /** Binds the graph to a backend; the plan is what runs. */
    public ExecutionPlan plan(Backend backend) {
        return new ExecutionPlan(this, backend);
    }
}

package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.graph.Profile;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

import java.util.ArrayList;
import java.util.List;

/**
 * Attributes device time to tasks: while profiling, every command gets an event, collected under the task that was
 * open when it was enqueued ({@link #begin}/{@link #end}); once the queue has drained, each task run's time is the
 * sum of its commands' CL_PROFILING_COMMAND_START..END. Reading timestamps never waits on its own, so a profiled step
 * still enqueues asynchronously. Commands enqueued outside any task are recorded under their kernel name. The same
 * time is also kept per kernel, across tasks, to see which kernel of a task dominates.
 */
final class EventProfiler {
    private record TaskRun(String task, List<cl_event> events, List<String> commands) {
        TaskRun(String task) {
            this(task, new ArrayList<>(), new ArrayList<>());
        }
    }

    private final Profile profile = new Profile();
    private final Profile byKernel = new Profile();
    private final List<TaskRun> pending = new ArrayList<>();
    private boolean enabled;
    private TaskRun open;

    void setEnabled(boolean on) {
        enabled = on;
    }

    boolean enabled() {
        return enabled;
    }

    void begin(String task) {
        open = enabled ? new TaskRun(task) : null;
    }

    void end(String task) {
        if (open != null) {
            pending.add(open);
            open = null;
        }
    }

    /** An event to pass to the next enqueue, or null when not profiling. */
    cl_event next(String command) {
        if (!enabled) {
            return null;
        }
        cl_event event = new cl_event();
        TaskRun run = open;
        if (run == null) {
            run = new TaskRun(command);
            pending.add(run);
        }
        run.events().add(event);
        run.commands().add(command);
        return event;
    }

    /** Reads the timestamps of every finished task run into the profile; call after clFinish. */
    void collect() {
        long[] start = new long[1];
        long[] end = new long[1];
        for (TaskRun run : pending) {
            long total = 0;
            for (int i = 0; i < run.events().size(); i++) {
                cl_event e = run.events().get(i);
                CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
                CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
                total += end[0] - start[0];
                byKernel.record(run.commands().get(i), end[0] - start[0]);
                CL.clReleaseEvent(e);
            }
            profile.record(run.task(), total);
        }
        pending.clear();
    }

    Profile profile() {
        return profile;
    }

    /** The same device time by kernel (command) name rather than by task. */
    Profile byKernel() {
        return byKernel;
    }

    void reset() {
        profile.clear();
        byKernel.clear();
    }

    /** Releases events that were never collected. */
    void discard() {
        for (TaskRun run : pending) {
            run.events().forEach(CL::clReleaseEvent);
        }
        pending.clear();
        if (open != null) {
            open.events().forEach(CL::clReleaseEvent);
            open = null;
        }
    }
}

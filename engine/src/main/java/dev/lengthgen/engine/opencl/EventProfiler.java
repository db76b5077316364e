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
 * still enqueues asynchronously. Commands enqueued outside any task are recorded under their kernel name.
 */
final class EventProfiler {
    private record TaskRun(String task, List<cl_event> events) {
    }

    private final Profile profile = new Profile();
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
        open = enabled ? new TaskRun(task, new ArrayList<>()) : null;
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
        if (open != null) {
            open.events().add(event);
        } else {
            pending.add(new TaskRun(command, List.of(event)));
        }
        return event;
    }

    /** Reads the timestamps of every finished task run into the profile; call after clFinish. */
    void collect() {
        long[] start = new long[1];
        long[] end = new long[1];
        for (TaskRun run : pending) {
            long total = 0;
            for (cl_event e : run.events()) {
                CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
                CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
                total += end[0] - start[0];
                CL.clReleaseEvent(e);
            }
            profile.record(run.task(), total);
        }
        pending.clear();
    }

    Profile profile() {
        return profile;
    }

    void reset() {
        profile.clear();
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

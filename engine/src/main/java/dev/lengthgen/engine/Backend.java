package dev.lengthgen.engine;

import dev.lengthgen.engine.graph.Profile;

/**
 * A place where buffers live and ops run: plain Java ("reference", the ground truth), the Vector API ("cpu") or an
 * OpenCL device ("opencl"). Ops may run asynchronously; {@link #download} and {@link #finish} wait for them.
 *
 * <p>Only token ids, targets, masks and position ids go up and losses/predictions come down per step; everything
 * else stays resident in the backend's memory.
 */
public interface Backend extends Ops, AutoCloseable {

    /** "reference", "cpu" or "opencl". */
    String name();

    /** One line describing the device (shown at the start of every run). */
    String describe();

    /** Allocates {@code length} elements, zero-filled. */
    Memory allocate(DType type, long length, String label);

    void upload(View dst, float[] src);

    void upload(View dst, int[] src);

    /** Copies the view into dst[0, view.length). Waits for queued work. */
    void download(View src, float[] dst);

    void download(View src, int[] dst);

    /** Waits until every queued op has finished. */
    void finish();

    /**
     * Marks the start of a named task (graph node) so the backend can attribute its work, e.g. with OpenCL event
     * timestamps. Called by {@link dev.lengthgen.engine.graph.ExecutionPlan}.
     */
    void beginTask(String name);

    void endTask(String name);

    /** Turns per-task timing on or off (off by default: timing may serialize the device). */
    void setProfiling(boolean on);

    /** Per-task timings recorded since the last {@link #resetProfile()}. */
    Profile profile();

    void resetProfile();

    /** The most bytes one allocation may hold (OpenCL's CL_DEVICE_MAX_MEM_ALLOC_SIZE; the heap for Java). */
    long maxAllocationBytes();

    /** The total bytes all allocations together may hold. */
    long totalMemoryBytes();

    @Override
    void close();
}

package dev.lengthgen.runner.slurm;

import java.util.Set;

/**
 * What Slurm says of one job or array task.
 *
 * @param id     the job id, for an array task ARRAY_INDEX (e.g. 34_2)
 * @param state  Slurm's state in capitals (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, ...)
 * @param reason why it waits, or why it ended (squeue's %r: JobArrayTaskLimit, BeginTime, Dependency, ...); or the
 *               exit code (sacct); empty when none
 * @param node   where it runs or ran; empty when nowhere yet
 */
public record TaskState(String id, String state, String reason, String node) {
    /** States of a job that still waits to run (PENDING; REQUEUED, REQUEUE_HOLD, ... on the way back to it). */
    private static final Set<String> QUEUED = Set.of("PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD",
            "RESV_DEL_HOLD", "SUSPENDED", "STOPPED", "RESIZING", "CONFIGURING", "SPECIAL_EXIT");
    /** States of a job whose processes run, or are being ended. */
    private static final Set<String> ACTIVE = Set.of("RUNNING", "COMPLETING", "SIGNALING", "STAGE_OUT");

    public boolean queued() {
        return QUEUED.contains(state);
    }

    public boolean active() {
        return ACTIVE.contains(state);
    }

    /** Neither waiting nor running: it ended (COMPLETED, FAILED, TIMEOUT, CANCELLED, PREEMPTED, OUT_OF_MEMORY...). */
    public boolean ended() {
        return !queued() && !active();
    }

    /** One phrase: "RUNNING on node12", "PENDING (JobArrayTaskLimit)", "FAILED". */
    public String describe() {
        StringBuilder sb = new StringBuilder(state);
        if (active() && !node.isEmpty()) {
            sb.append(" on ").append(node);
        }
        if (!reason.isEmpty() && !reason.equals("None")) {
            sb.append(" (").append(reason).append(')');
        }
        return sb.toString();
    }
}

package dev.lengthgen.engine.graph;

/**
 * One named node of a task graph, e.g. "layer3.attn.fwd": a body that enqueues ops on the backend, and the work it
 * does (floating-point operations and bytes moved), so that profiles can report GFLOP/s and GB/s.
 */
public record Task(String name, double flops, double bytes, Runnable body) {
}

package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

/**
 * Measures the fp32 peak of this CPU as the cpu backend can reach it, the denominator of MFU. Two Vector API loops
 * ({@link FloatVector#SPECIES_PREFERRED}) run on every worker at once:
 * <ul>
 * <li>chains: 16 independent chains of fused multiply-adds ({@code a = a * b + c}), no memory traffic;</li>
 * <li>kernel: the GEMM micro-kernel ({@link GemmKernels}: a 6 x 64 register tile, 24 accumulators) on
 *     slivers that stay in L1, i.e. FMAs with the loads and broadcasts a real kernel needs.</li>
 * </ul>
 * Each is timed over several runs after a warm-up; the peak is the best run of the faster loop (the JIT schedules
 * the two differently, and on a shared machine interference only ever slows a run down). FLOPs count 2 per lane
 * per FMA.
 */
public final class FmaPeak {
    /** FMAs per chain in one timed run of the chains loop on one worker. */
    private static final long ITERATIONS = 20_000_000L;
    /** Depth of the L1-resident slivers of the kernel loop, and kernel calls per timed run. */
    private static final int KC = 64;
    private static final int CALLS = 100_000;

    /** A measured peak and how it was measured. */
    public record Result(double gflops, double chainsGflops, double kernelGflops, int threads, int vectorBits,
                         String method) {
    }

    private FmaPeak() {
    }

    /** @param threads workers (0: one per available processor); runs: timed runs per loop */
    public static Result measure(int threads, int runs) {
        int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        float[] sink = new float[n];
        float[][] ap = new float[n][KC * GemmKernels.MR];
        float[][] bp = new float[n][KC * GemmKernels.NR];
        float[][] c = new float[n][GemmKernels.MR * GemmKernels.NR];
        for (int w = 0; w < n; w++) {
            Arrays.fill(ap[w], 1e-3f);
            Arrays.fill(bp[w], 1e-3f);
        }
        try (WorkerPool pool = new WorkerPool(n)) {
            WorkerPool.Job chainsJob = (w, workers) -> sink[w] += chains(ITERATIONS);
            WorkerPool.Job kernelJob = (w, workers) -> {
                for (int i = 0; i < CALLS; i++) {
                    GemmKernels.cols(KC, ap[w], 0, GemmKernels.MR, bp[w], 0, c[w], 0, GemmKernels.NR);
                }
            };
            // warm-up: gets both loops compiled by C2 before anything is timed
            for (int i = 0; i < 20; i++) {
                pool.run((w, workers) -> sink[w] += chains(ITERATIONS / 200));
                pool.run((w, workers) -> {
                    for (int k = 0; k < CALLS / 100; k++) {
                        GemmKernels.cols(KC, ap[w], 0, GemmKernels.MR, bp[w], 0, c[w], 0, GemmKernels.NR);
                    }
                });
            }
            double chainsFlops = 2.0 * 16 * VectorMath.LANES * ITERATIONS * n;
            double kernelFlops = 2.0 * GemmKernels.MR * GemmKernels.NR * KC * (double) CALLS * n;
            double chains = 0;
            double kernel = 0;
            for (int r = 0; r < runs; r++) {
                chains = Math.max(chains, chainsFlops / seconds(pool, chainsJob) / 1e9);
                kernel = Math.max(kernel, kernelFlops / seconds(pool, kernelJob) / 1e9);
            }
            int bits = VectorMath.S.vectorBitSize();
            String method = String.format("best of %d runs on %d thread(s) of two %d-bit Vector API FMA loops: "
                    + "16 independent FMA chains (%.1f GFLOP/s) and the GEMM micro-kernel on L1-resident data "
                    + "(%.1f GFLOP/s)", runs, n, bits, chains, kernel);
            return new Result(Math.max(chains, kernel), chains, kernel, n, bits, method);
        }
    }

    private static double seconds(WorkerPool pool, WorkerPool.Job job) {
        long t0 = System.nanoTime();
        pool.run(job);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static float chains(long iterations) {
        FloatVector m = FloatVector.broadcast(VectorMath.S, 0.99999994f);
        FloatVector c = FloatVector.broadcast(VectorMath.S, 1e-8f);
        FloatVector a0 = FloatVector.broadcast(VectorMath.S, 1f), a1 = a0.add(1e-3f), a2 = a0.add(2e-3f);
        FloatVector a3 = a0.add(3e-3f), a4 = a0.add(4e-3f), a5 = a0.add(5e-3f), a6 = a0.add(6e-3f);
        FloatVector a7 = a0.add(7e-3f), a8 = a0.add(8e-3f), a9 = a0.add(9e-3f), a10 = a0.add(1e-2f);
        FloatVector a11 = a0.add(1.1e-2f), a12 = a0.add(1.2e-2f), a13 = a0.add(1.3e-2f), a14 = a0.add(1.4e-2f);
        FloatVector a15 = a0.add(1.5e-2f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
            a12 = a12.fma(m, c);
            a13 = a13.fma(m, c);
            a14 = a14.fma(m, c);
            a15 = a15.fma(m, c);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .add(a12).add(a13).add(a14).add(a15);
        return s.reduceLanes(VectorOperators.ADD);
    }
}

package dev.lengthgen.runner.bench;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.View;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * GEMM throughput of a backend through its linear-layer ops at square sizes n: forward out = inp . W^T
 * (2 n^3 FLOPs) and backward dinp += dout . W plus dweight += dout^T . inp (4 n^3 FLOPs), so every transpose the
 * model uses is timed. Each op is warmed up, then timed in samples of several calls (at least --min-time, 0.2 s by
 * default, each); the median sample is reported.
 */
final class GemmBench {
    /** Default least time of one timed sample; warm-up per op is 5x that, plus 2.5x per size up front. */
    static final double SAMPLE_SECONDS = 0.2;

    private GemmBench() {
    }

    /** Per size: median GFLOP/s of forward and backward. */
    static List<Map<String, Object>> run(Backend backend, int[] sizes, int samples, double sampleSeconds,
                                         PrintStream log) {
        List<Map<String, Object>> rows = new ArrayList<>();
        // JIT warm-up of every code path (each size has its own edge tiles and blockings) before any timing
        for (int n : sizes) {
            measure(backend, n, 1, 2.5 * sampleSeconds, sampleSeconds);
        }
        for (int n : sizes) {
            Map<String, Object> row = measure(backend, n, samples, 5 * sampleSeconds, sampleSeconds);
            rows.add(row);
            if (log != null) {
                Samples fwd = (Samples) row.remove("forward_samples");
                Samples bwd = (Samples) row.remove("backward_samples");
                log.printf("  %5d   %8.1f  (%6.1f - %6.1f)   %8.1f  (%6.1f - %6.1f)%n", n, fwd.median(), fwd.min(),
                        fwd.max(), bwd.median(), bwd.min(), bwd.max());
            } else {
                row.remove("forward_samples");
                row.remove("backward_samples");
            }
        }
        return rows;
    }

    /** One size: forward and backward GFLOP/s samples (the Samples objects ride along for the table). */
    private static Map<String, Object> measure(Backend backend, int n, int samples, double warmupSeconds,
                                               double sampleSeconds) {
        long nn = (long) n * n;
        Random rng = new Random(n);
        View inp = filled(backend, nn, rng, "inp");
        View w = filled(backend, nn, rng, "weight");
        View dout = filled(backend, nn, rng, "dout");
        View out = backend.allocate(DType.F32, nn, "out").view();
        View dinp = backend.allocate(DType.F32, nn, "dinp").view();
        View dw = backend.allocate(DType.F32, nn, "dweight").view();
        Runnable forward = () -> backend.matmulForward(out, inp, w, null, n, n, n);
        Runnable backward = () -> backend.matmulBackward(dinp, dw, null, dout, inp, w, n, n, n);
        Samples fwd = time(backend, forward, samples, warmupSeconds, sampleSeconds)
                .map(s -> 2.0 * n * n * n / s / 1e9);
        Samples bwd = time(backend, backward, samples, warmupSeconds, sampleSeconds)
                .map(s -> 4.0 * n * n * n / s / 1e9);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("size", n);
        row.put("forward", json(fwd));
        row.put("backward", json(bwd));
        row.put("forward_samples", fwd);
        row.put("backward_samples", bwd);
        return row;
    }

    static String header() {
        return "   size   forward GFLOP/s (range)        backward GFLOP/s (range)";
    }

    /** Seconds per call: warm-up, then {@code samples} timed samples of a calibrated number of calls each. */
    static Samples time(Backend backend, Runnable op, int samples, double warmupSeconds, double sampleSeconds) {
        long start = System.nanoTime();
        int warm = 0;
        double perCall;
        do {
            op.run();
            backend.finish();
            warm++;
            perCall = (System.nanoTime() - start) / 1e9 / warm;
        } while (System.nanoTime() - start < warmupSeconds * 1e9 && warm < 1000);
        // the later calls of the warm-up are the better estimate of one call
        long t0 = System.nanoTime();
        op.run();
        backend.finish();
        perCall = Math.min(perCall, (System.nanoTime() - t0) / 1e9);
        int calls = Math.max(1, (int) Math.ceil(sampleSeconds / perCall));
        double[] seconds = new double[samples];
        for (int s = 0; s < samples; s++) {
            long t = System.nanoTime();
            for (int c = 0; c < calls; c++) {
                op.run();
            }
            backend.finish();
            seconds[s] = (System.nanoTime() - t) / 1e9 / calls;
        }
        return new Samples(seconds);
    }

    static Map<String, Object> json(Samples gflops) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_gflops", Peak.round(gflops.median()));
        m.put("min_gflops", Peak.round(gflops.min()));
        m.put("max_gflops", Peak.round(gflops.max()));
        List<Double> all = new ArrayList<>();
        for (double v : gflops.values()) {
            all.add(Peak.round(v));
        }
        m.put("samples", all);
        return m;
    }

    private static View filled(Backend backend, long n, Random rng, String label) {
        float[] data = new float[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = rng.nextFloat() * 2 - 1;
        }
        View v = backend.allocate(DType.F32, n, label).view();
        backend.upload(v, data);
        return v;
    }
}

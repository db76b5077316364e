package dev.lengthgen.runner.bench;

import dev.lengthgen.engine.cpu.FmaPeak;

import java.util.LinkedHashMap;
import java.util.Map;

/** The host CPU's measured fp32 peak, the denominator of every MFU the benchmarks print. */
final class Peak {
    private Peak() {
    }

    static FmaPeak.Result measure(int threads) {
        return FmaPeak.measure(threads, 5);
    }

    static String line(FmaPeak.Result p) {
        return String.format("fp32 peak %.1f GFLOP/s (%s)", p.gflops(), p.method());
    }

    static Map<String, Object> json(FmaPeak.Result p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gflops", round(p.gflops()));
        m.put("chains_gflops", round(p.chainsGflops()));
        m.put("kernel_gflops", round(p.kernelGflops()));
        m.put("threads", p.threads());
        m.put("vector_bits", p.vectorBits());
        m.put("method", p.method());
        return m;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

package dev.lengthgen.runner.bench;

import com.google.gson.GsonBuilder;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.cpu.FmaPeak;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.UsageException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lengthgen bench gemm|step|decode}: throughput benchmarks of a backend, as a human table or (--json) one
 * JSON document. Benchmarks, not tests: they print what they measure and never fail on a number. Every result is
 * the median of repeated runs after a warm-up; the host's measured fp32 peak is printed with it.
 */
public final class BenchCommand implements Command {
    private static final List<String> BENCHMARKS = List.of("gemm", "step", "decode");
    /** Threads per experiment run: reproduce's default of one run per core, two runs on a 2-core machine. */
    static final int RUN_THREADS = 1;

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String arguments() {
        return String.join("|", BENCHMARKS);
    }

    @Override
    public String summary() {
        return "benchmarks: bench gemm | step | decode (GFLOP/s, ms/step, tokens/s, MFU, examples/s)";
    }

    @Override
    public Options options() {
        Options o = new Options();
        BackendOptions.addTo(o);
        o.addOption(Flags.valued("sizes", "N,N,..", "gemm: square sizes (default 256,512,1024)"));
        o.addOption(Flags.valued("presets", "P,P,..", "step: model presets (default micro,mini, or none with"
                + " --experiment); decode: the first (default micro)"));
        o.addOption(Flags.valued("experiment", "NAME,..|all", "step: time the shapes these experiments train at"
                + " tiny scale (see reproduce --list), with their own data, one run at a time on --run-threads"));
        o.addOption(Flags.valued("run-threads", "N", "step: worker threads of each experiment run (default "
                + RUN_THREADS + ": reproduce --jobs 2 on 2 cores)"));
        o.addOption(Flags.valued("batch", "B", "step: sequences per batch (default 64); decode: rows decoded together"
                + " (default 1000)"));
        o.addOption(Flags.valued("width", "W", "step, decode: operand width of the addition format"
                + " (default 20: T = 65)"));
        o.addOption(Flags.valued("steps", "N", "step: timed steps per shape (default 10; 5 for mini and larger;"
                + " " + EXPERIMENT_STEPS + " for experiment shapes)"));
        o.addOption(Flags.valued("warmup", "N", "step: untimed steps first (default 5; " + EXPERIMENT_WARMUP
                + " for experiment shapes)"));
        o.addOption(Flags.valued("examples", "N", "decode: problems per evaluation (default 10000)"));
        o.addOption(Flags.valued("samples", "N", "gemm: timed samples per op (default 7); decode: timed evaluations"
                + " (default 3)"));
        o.addOption(Flags.valued("min-time", "SECONDS", "gemm: least time of one timed sample (default 0.2;"
                + " warm-up scales with it)"));
        o.addOption(Option.builder().longOpt("no-peak").desc("skip measuring the fp32 peak (no MFU)").build());
        o.addOption(Option.builder().longOpt("json").desc("print one JSON document instead of the table").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        List<String> args = line.getArgList();
        if (args.size() != 1 || !BENCHMARKS.contains(args.get(0))) {
            throw new UsageException("say which benchmark: lengthgen bench " + String.join("|", BENCHMARKS)
                    + " [flags]" + (args.isEmpty() ? "" : " (got '" + String.join(" ", args) + "')"));
        }
        String which = args.get(0);
        boolean json = line.hasOption("json");
        PrintStream log = json ? null : out;
        // validate every flag before any work
        int[] sizes = intList(line, "sizes", "256,512,1024", 1, 8192);
        List<String> experiments = line.hasOption("experiment")
                ? ExperimentShapes.names(line.getOptionValue("experiment")) : List.of();
        List<String> presets = experiments.isEmpty() || line.hasOption("presets")
                ? presets(line, which.equals("decode") ? "micro" : "micro,mini") : List.of();
        int runThreads = Flags.intValue(line, "run-threads", RUN_THREADS, 1, 1024);
        int batch = Flags.intValue(line, "batch", which.equals("decode") ? 1000 : 64, 1, 1 << 20);
        int width = Flags.intValue(line, "width", 20, 1, 200);
        int stepsFlag = Flags.intValue(line, "steps", 0, 1, 100_000);
        int warmup = Flags.intValue(line, "warmup", 5, 0, 100_000);
        int examples = Flags.intValue(line, "examples", 10_000, 1, 10_000_000);
        int samples = Flags.intValue(line, "samples", which.equals("gemm") ? 7 : 3, 1, 1000);
        double minTime = Flags.floatValue(line, "min-time", (float) GemmBench.SAMPLE_SECONDS, 0.001f, 60f);
        BackendOptions.name(line, "cpu");

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", which);
        try (Backend backend = BackendOptions.open(line, "cpu")) {
            doc.put("backend", backend.name());
            doc.put("device", backend.describe());
            doc.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            doc.put("available_processors", Runtime.getRuntime().availableProcessors());
            if (log != null) {
                log.println("lengthgen bench " + which + " on " + backend.describe());
            }
            FmaPeak.Result peak = null;
            if (!line.hasOption("no-peak") && !which.equals("decode") && !(which.equals("step") && presets.isEmpty())) {
                peak = Peak.measure(Flags.intValue(line, "threads", 0, 0, 1024));
                doc.put("peak", Peak.json(peak));
                if (log != null) {
                    log.println(Peak.line(peak));
                }
            }
            switch (which) {
                case "gemm":
                    if (log != null) {
                        log.println("GEMM through the linear-layer ops (forward inp.W^T: 2n^3 FLOPs; backward"
                                + " dinp += dout.W and dweight += dout^T.inp: 4n^3), median of " + samples
                                + " samples:");
                        log.println(GemmBench.header());
                    }
                    doc.put("gemm", GemmBench.run(backend, sizes, samples, minTime, log));
                    break;
                case "step": {
                    List<Map<String, Object>> rows = new ArrayList<>();
                    if (!experiments.isEmpty()) {
                        rows.addAll(experimentRows(line, experiments, runThreads, stepsFlag, doc, log));
                    }
                    for (String p : presets) {
                        int steps = stepsFlag > 0 ? stepsFlag : (p.equals("micro") || p.equals("nano") ? 10 : 5);
                        int count = warmup * 4 + steps + 1;
                        rows.add(StepBench.run(backend, StepBench.preset(p, batch, width, count), warmup, steps, peak,
                                log));
                    }
                    doc.put("step", rows);
                    break;
                }
                case "decode":
                    doc.put("decode", DecodeBench.run(backend, presets.get(0), examples, batch, width, samples, log));
                    break;
                default:
                    throw new IllegalStateException(which);
            }
        }
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
                    .toJson(doc));
        }
        return 0;
    }

    /**
     * The experiments' shapes, each on a cpu backend of its own with {@code threads} workers (as reproduce gives each
     * run its share of the cores), with the fp32 peak of that many threads for their MFU.
     */
    private static List<Map<String, Object>> experimentRows(CommandLine line, List<String> experiments, int threads,
                                                            int stepsFlag, Map<String, Object> doc, PrintStream log)
            throws Exception {
        List<StepShape> shapes = new ArrayList<>();
        for (String e : experiments) {
            shapes.addAll(ExperimentShapes.of(e));
        }
        FmaPeak.Result peak = null;
        if (!line.hasOption("no-peak")) {
            peak = Peak.measure(threads);
            doc.put("run_peak", Peak.json(peak));
            if (log != null) {
                log.println("experiment runs: " + Peak.line(peak));
            }
        }
        int warmup = Flags.intValue(line, "warmup", EXPERIMENT_WARMUP, 0, 100_000);
        int steps = stepsFlag > 0 ? stepsFlag : EXPERIMENT_STEPS;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (StepShape s : shapes) {
            try (Backend backend = BackendOptions.open(new BackendOptions.Placement("cpu", null, threads))) {
                rows.add(StepBench.run(backend, s, warmup, steps, peak, log));
            }
        }
        return rows;
    }

    /** Experiment steps take milliseconds: enough of them for the JIT to settle and for a steady median. */
    static final int EXPERIMENT_WARMUP = 40;
    static final int EXPERIMENT_STEPS = 40;

    private static int[] intList(CommandLine line, String flag, String fallback, int min, int max)
            throws UsageException {
        String raw = line.getOptionValue(flag, fallback);
        String[] parts = raw.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--" + flag + " needs comma-separated whole numbers, got '" + raw + "'");
            }
            if (out[i] < min || out[i] > max) {
                throw new UsageException("--" + flag + " values must be between " + min + " and " + max + ", got "
                        + out[i]);
            }
        }
        return out;
    }

    private static List<String> presets(CommandLine line, String fallback) throws UsageException {
        List<String> out = new ArrayList<>();
        for (String p : line.getOptionValue("presets", fallback).split(",")) {
            String name = p.trim().toLowerCase(Locale.ROOT);
            if (!GptConfig.PRESETS.containsKey(name)) {
                throw new UsageException("unknown preset '" + p + "' in --presets: use " + GptConfig.PRESETS.keySet());
            }
            out.add(name);
        }
        return out;
    }
}

package dev.lengthgen.runner.cli;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.Backends;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** --backend, --device and --threads: which backend computes, shared by every command that runs a model. */
public final class BackendOptions {
    /** --backend when not given: an OpenCL GPU when one is present, else the cpu backend. */
    public static final String DEFAULT_BACKEND = "auto";
    /** --threads when not given: one worker per core. */
    public static final int DEFAULT_THREADS = 0;
    public static final int MAX_THREADS = 1024;

    private BackendOptions() {
    }

    /**
     * Where a model computes.
     *
     * @param backend one of {@link Backends#NAMES}
     * @param device  an OpenCL device index or name substring; null for the default device
     * @param threads worker threads of the cpu backend; 0 for one per core
     */
    public record Placement(String backend, String device, int threads) {
    }

    public static void addTo(Options o) {
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME")
                .desc("reference | cpu | opencl | auto (default " + DEFAULT_BACKEND + ": an OpenCL GPU when present,"
                        + " else cpu)").build());
        o.addOption(Option.builder().longOpt("device").hasArg().argName("N|NAME")
                .desc("opencl, auto: OpenCL device index or name substring (see 'lengthgen devices')").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("N")
                .desc("cpu, auto: worker threads of the cpu backend (default " + DEFAULT_THREADS + ": one per core)")
                .build());
    }

    /** The backend name the flags ask for (validated). */
    public static String name(CommandLine line, String fallback) throws UsageException {
        String name = line.getOptionValue("backend", fallback);
        if (!Backends.NAMES.contains(name)) {
            throw new UsageException("unknown --backend '" + name + "': use one of " + Backends.NAMES);
        }
        return name;
    }

    /**
     * The backend, device and threads the flags ask for. A flag that the chosen backend would ignore is refused
     * (--device belongs to OpenCL, --threads to the cpu backend; auto may become either).
     */
    public static Placement placement(CommandLine line, String fallback) throws UsageException {
        String name = name(line, fallback);
        if (line.hasOption("device") && !name.equals("opencl") && !name.equals("auto")) {
            throw new UsageException("--device chooses an OpenCL device, which --backend " + name + " does not use:"
                    + " drop --device, or use --backend opencl");
        }
        if (line.hasOption("threads") && !name.equals("cpu") && !name.equals("auto")) {
            throw new UsageException("--threads sets the cpu backend's workers, which --backend " + name + " does not"
                    + " use: drop --threads, or use --backend cpu");
        }
        return new Placement(name, line.getOptionValue("device"),
                Flags.intValue(line, "threads", DEFAULT_THREADS, 0, MAX_THREADS));
    }

    /** Opens the backend the flags ask for; an unavailable one is a usage error with its install hint. */
    public static Backend open(CommandLine line, String fallback) throws UsageException {
        return open(placement(line, fallback));
    }

    /** Opens a backend; an unavailable one is a usage error carrying its install hint. */
    public static Backend open(Placement p) throws UsageException {
        try {
            return Backends.open(p.backend(), p.device(), p.threads());
        } catch (BackendUnavailableException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

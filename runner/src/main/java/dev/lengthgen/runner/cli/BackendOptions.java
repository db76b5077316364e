package dev.lengthgen.runner.cli;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.Backends;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** --backend, --device and --threads: which backend computes, shared by every command that runs a model. */
public final class BackendOptions {
    private BackendOptions() {
    }

    public static void addTo(Options o) {
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME")
                .desc("reference | cpu | opencl | auto (default auto: an OpenCL GPU when present, else cpu)").build());
        o.addOption(Option.builder().longOpt("device").hasArg().argName("N|NAME")
                .desc("OpenCL device index or name substring (see 'lengthgen devices')").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("N")
                .desc("worker threads of the cpu backend (default: one per core)").build());
    }

    /** The backend name the flags ask for (validated). */
    public static String name(CommandLine line, String fallback) throws UsageException {
        String name = line.getOptionValue("backend", fallback);
        if (!Backends.NAMES.contains(name)) {
            throw new UsageException("unknown --backend '" + name + "': use one of " + Backends.NAMES);
        }
        return name;
    }

    /** Opens the backend the flags ask for; an unavailable one is a usage error with its install hint. */
    public static Backend open(CommandLine line, String fallback) throws UsageException {
        return open(name(line, fallback), line.getOptionValue("device"), Flags.intValue(line, "threads", 0, 0, 1024));
    }

    /** Opens a backend by name; an unavailable one is a usage error carrying its install hint. */
    public static Backend open(String name, String device, int threads) throws UsageException {
        try {
            return Backends.open(name, device, threads);
        } catch (BackendUnavailableException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

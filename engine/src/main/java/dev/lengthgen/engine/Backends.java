package dev.lengthgen.engine;

import dev.lengthgen.engine.cpu.CpuBackend;
import dev.lengthgen.engine.reference.ReferenceBackend;

import java.util.List;

/** Opens a backend by name: reference, cpu, opencl, or auto (an OpenCL GPU when present, else cpu). */
public final class Backends {
    public static final List<String> NAMES = List.of("reference", "cpu", "opencl", "auto");

    private Backends() {
    }

    /**
     * @param name   one of {@link #NAMES}
     * @param device for opencl: a device index or a substring of its name; null for the default
     * @param threads for cpu: worker threads, 0 for one per core
     */
    public static Backend open(String name, String device, int threads) {
        switch (name) {
            case "reference":
                return new ReferenceBackend();
            case "cpu":
                return new CpuBackend(threads);
            case "opencl":
                throw new BackendUnavailableException("the opencl backend is not built yet; use --backend reference");
            case "auto":
                return new ReferenceBackend();
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "': use one of " + NAMES);
        }
    }
}

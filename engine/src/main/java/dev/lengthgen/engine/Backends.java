package dev.lengthgen.engine;

import dev.lengthgen.engine.cpu.CpuBackend;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.opencl.OpenClPlatforms;
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
    // Synchronized: OpenCL drivers (PoCL among them) are not safe to query from two threads at once while they set up,
    // and an experiment opens one backend per run on parallel threads.
    public static synchronized Backend open(String name, String device, int threads) {
        switch (name) {
            case "reference":
                return new ReferenceBackend();
            case "cpu":
                return new CpuBackend(threads);
            case "opencl":
                return OpenClBackend.open(device);
            case "auto":
                if (OpenClPlatforms.hasGpu()) {
                    return OpenClBackend.open(device);
                }
                // No OpenCL GPU: the Vector API backend is the fast path on CPUs (faster than PoCL's CPU device).
                return new CpuBackend(threads);
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "': use one of " + NAMES);
        }
    }
}

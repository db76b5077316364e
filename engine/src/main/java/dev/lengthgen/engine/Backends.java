package dev.lengthgen.engine;

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
    public static Backend open(String name, String device, int threads) {
        switch (name) {
            case "reference":
                return new ReferenceBackend();
            case "cpu":
                throw new BackendUnavailableException("the cpu backend is not built yet; use --backend reference");
            case "opencl":
                return OpenClBackend.open(device);
            case "auto":
                if (OpenClPlatforms.hasGpu()) {
                    return OpenClBackend.open(device);
                }
                // No OpenCL GPU: auto means the fast CPU path. Until the cpu backend lands, the reference backend
                // stands in for it (the cpu case above still throws); switch this to the cpu backend then.
                return new ReferenceBackend();
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "': use one of " + NAMES);
        }
    }
}

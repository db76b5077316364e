package dev.lengthgen.runner.devices;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClDevice;
import dev.lengthgen.engine.opencl.OpenClPlatforms;
import dev.lengthgen.runner.cli.Command;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code lengthgen devices}: the OpenCL platforms and devices of this machine, with the index that selects each
 * ({@code --backend opencl --device N}). Informational: without an OpenCL runtime it says how to install one and
 * still exits 0.
 */
public final class DevicesCommand implements Command {

    @Override
    public String name() {
        return "devices";
    }

    @Override
    public String summary() {
        return "list OpenCL platforms and devices (select one with --backend opencl --device N|NAME)";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("print JSON instead of a table").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) {
        List<OpenClDevice> devices;
        String problem = null;
        try {
            devices = OpenClPlatforms.devices();
        } catch (BackendUnavailableException e) {
            devices = List.of();
            problem = e.getMessage();
        }
        OpenClDevice preferred = devices.stream().filter(d -> d.type() == OpenClDevice.Type.GPU).findFirst()
                .orElse(devices.isEmpty() ? null : devices.get(0));
        if (line.hasOption("json")) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(json(devices, preferred, problem)));
        } else {
            printTable(out, devices, preferred, problem);
        }
        return 0;
    }

    static JsonObject json(List<OpenClDevice> devices, OpenClDevice preferred, String problem) {
        JsonObject root = new JsonObject();
        JsonArray list = new JsonArray();
        for (OpenClDevice d : devices) {
            JsonObject o = new JsonObject();
            o.addProperty("index", d.index());
            o.addProperty("platformIndex", d.platformIndex());
            o.addProperty("platform", d.platformName());
            o.addProperty("indexInPlatform", d.indexInPlatform());
            o.addProperty("name", d.name());
            o.addProperty("type", d.type().name());
            o.addProperty("computeUnits", d.computeUnits());
            o.addProperty("globalMemoryBytes", d.globalMemoryBytes());
            o.addProperty("maxAllocationBytes", d.maxAllocationBytes());
            o.addProperty("maxWorkGroupSize", d.maxWorkGroupSize());
            o.addProperty("localMemoryBytes", d.localMemoryBytes());
            o.addProperty("openclVersion", d.openClVersion());
            o.addProperty("kernels", KernelVariant.forDevice(d.type()).name().toLowerCase());
            o.addProperty("default", d == preferred);
            list.add(o);
        }
        root.add("devices", list);
        if (problem != null) {
            root.addProperty("error", problem);
            root.addProperty("installHint", OpenClPlatforms.INSTALL_HINT);
        }
        return root;
    }

    static void printTable(PrintStream out, List<OpenClDevice> devices, OpenClDevice preferred, String problem) {
        if (devices.isEmpty()) {
            out.println("no OpenCL devices: " + problem);
            return;
        }
        out.println("OpenCL devices (select with --backend opencl --device INDEX, or a name substring; "
                + "* = the default):");
        out.printf("  %-3s %-28s %-40s %-5s %5s %11s %11s %6s %7s  %-8s %s%n", "#", "platform", "device", "type",
                "CUs", "global", "max alloc", "group", "local", "kernels", "version");
        for (OpenClDevice d : devices) {
            out.printf("%s %-3d %-28s %-40s %-5s %5d %11s %11s %6d %7s  %-8s %s%n", d == preferred ? "*" : " ",
                    d.index(), clip(d.platformName(), 28), clip(d.name(), 40), d.type(), d.computeUnits(),
                    gib(d.globalMemoryBytes()), gib(d.maxAllocationBytes()), d.maxWorkGroupSize(),
                    d.localMemoryBytes() / 1024 + " KiB", KernelVariant.forDevice(d.type()).name().toLowerCase(),
                    d.openClVersion());
        }
    }

    private static String gib(long bytes) {
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}

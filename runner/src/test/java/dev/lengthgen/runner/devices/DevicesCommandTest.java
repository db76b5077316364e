package dev.lengthgen.runner.devices;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.CliRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lengthgen devices is informational: exit code 0 with or without an OpenCL runtime. */
class DevicesCommandTest {

    @Test
    void listsDevicesOrSaysHowToInstallARuntime() {
        CliRun r = CliRun.of("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("OpenCL devices") || r.out().startsWith("no OpenCL devices: "), r.out());
        if (r.out().startsWith("no OpenCL devices")) {
            assertTrue(r.out().contains("apt-get install pocl-opencl-icd"), r.out());
        }
    }

    @Test
    void jsonListsTheSameDevices() {
        CliRun r = CliRun.of("devices", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
        int n = json.getAsJsonArray("devices").size();
        if (n == 0) {
            assertTrue(json.has("installHint"), r.out());
        } else {
            JsonObject first = json.getAsJsonArray("devices").get(0).getAsJsonObject();
            assertEquals(0, first.get("index").getAsInt());
            assertTrue(first.get("maxAllocationBytes").getAsLong() > 0);
            assertTrue(first.get("maxWorkGroupSize").getAsLong() > 0);
            assertTrue(first.get("localMemoryBytes").getAsLong() > 0);
        }
    }

    @Test
    void unknownFlagIsAUsageError() {
        CliRun.assertUsage("--help", "devices", "--no-such-flag");
    }
}

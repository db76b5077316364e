package dev.lengthgen.runner.profile;

import com.google.gson.JsonObject;
import dev.lengthgen.engine.graph.Profile;
import dev.lengthgen.engine.graph.Task;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileTableTest {

    private static Profile profile() {
        Profile p = new Profile();
        p.record("layer0.qkv.fwd", 2_000_000);   // 2 ms
        p.record("layer0.qkv.fwd", 2_000_000);
        p.record("layer0.gelu.fwd", 1_000_000);
        p.record("layer1.qkv.fwd", 4_000_000);
        p.record("adamw", 1_000_000);
        return p;
    }

    private static List<Task> tasks() {
        Runnable none = () -> { };
        return List.of(new Task("layer0.qkv.fwd", 4e6, 0, none), new Task("layer0.gelu.fwd", 0, 8e6, none),
                new Task("layer1.qkv.fwd", 4e6, 0, none), new Task("adamw", 0, 0, none));
    }

    @Test
    void rowsCarryCallsTimeShareAndRate() {
        ProfileTable t = ProfileTable.of("step", profile(), tasks());
        assertEquals(10_000_000, t.totalNanos());
        ProfileTable.Row qkv = t.rows().get(0);
        assertEquals("layer0.qkv.fwd", qkv.task());
        assertEquals(2, qkv.calls());
        assertEquals(4.0, qkv.millis(), 1e-12);
        assertEquals(0.4, t.share(qkv), 1e-12);
        assertEquals(2.0, qkv.gflopsPerSecond(), 1e-12);      // 2 x 4 MFLOP in 4 ms
        ProfileTable.Row gelu = t.rows().get(1);
        assertTrue(Double.isNaN(gelu.gflopsPerSecond()));
        assertEquals(8.0, gelu.gigabytesPerSecond(), 1e-12);  // 8 MB in 1 ms
        String text = t.toText();
        assertTrue(text.contains("2.0 GFLOP/s"), text);
        assertTrue(text.contains("8.0 GB/s"), text);
        assertTrue(text.contains("40.0%"), text);
        assertTrue(text.lines().anyMatch(l -> l.trim().startsWith("total") && l.contains("10.000")), text);
    }

    @Test
    void byOpSumsLayersLargestFirst() {
        ProfileTable byOp = ProfileTable.of("step", profile(), tasks()).byOp();
        ProfileTable.Row first = byOp.rows().get(0);
        assertEquals("qkv.fwd", first.task());
        assertEquals(3, first.calls());
        assertEquals(8.0, first.millis(), 1e-12);
        assertEquals(1.5, first.gflopsPerSecond(), 1e-12);    // 3 x 4 MFLOP in 8 ms
        assertEquals(3, byOp.rows().size());
    }

    @Test
    void jsonHasEveryRowAndOnlyKnownRates() {
        JsonObject json = ProfileTable.of("step", profile(), tasks()).toJson();
        assertEquals(4, json.getAsJsonArray("rows").size());
        JsonObject adamw = json.getAsJsonArray("rows").get(3).getAsJsonObject();
        assertEquals("adamw", adamw.get("task").getAsString());
        assertFalse(adamw.has("gflopsPerSecond"));
        assertFalse(adamw.has("gigabytesPerSecond"));
        assertEquals(10.0, json.get("totalMs").getAsDouble(), 1e-12);
    }
}

package dev.lengthgen.runner.profile;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.CliRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lengthgen profile on the reference backend at a tiny shape (the table, not the speed, is under test). */
class ProfileCommandTest {
    private static final String[] TINY = {"--backend", "reference", "--preset", "nano", "--batch", "2", "--seq", "9",
            "--warmup", "0"};

    private static String[] args(String... extra) {
        String[] all = new String[1 + TINY.length + extra.length];
        all[0] = "profile";
        System.arraycopy(TINY, 0, all, 1, TINY.length);
        System.arraycopy(extra, 0, all, 1 + TINY.length, extra.length);
        return all;
    }

    @Test
    void printsEveryTaskOfTheStepAndTheSumPerOp() {
        CliRun r = CliRun.of(args());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layer2.qkv.bwd"), r.out());
        assertTrue(r.out().contains("adamw"), r.out());
        assertTrue(r.out().contains(", by op"), r.out());
        assertTrue(r.out().contains("GFLOP/s"), r.out());
    }

    @Test
    void jsonHasTasksAndOps() {
        CliRun r = CliRun.of(args("--json"));
        assertEquals(0, r.code(), r.err());
        JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(json.getAsJsonObject("tasks").getAsJsonArray("rows").size() > 40, r.out());
        assertTrue(json.getAsJsonObject("byOp").getAsJsonArray("rows").size() > 10, r.out());
        assertEquals(2, json.get("batch").getAsInt());
    }

    @Test
    void badFlagsAreUsageErrors() {
        CliRun.assertUsage("--batch must be between", "profile", "--batch", "0");
        CliRun.assertUsage("unknown --backend", "profile", "--backend", "tpu");
        CliRun.assertUsage("--steps needs a whole number", "profile", "--steps", "x");
    }
}

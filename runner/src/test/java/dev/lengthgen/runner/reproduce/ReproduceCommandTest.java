package dev.lengthgen.runner.reproduce;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.TrainSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `lengthgen reproduce`: the catalog's plans, the checks before training, and finishing and resuming a grid. */
class ReproduceCommandTest {
    @TempDir
    Path tmp;

    private static ExperimentOptions options(Scale scale, int seeds) {
        return new ExperimentOptions(scale, seeds, null, null, null, null, "cpu", null, 1);
    }

    @Test
    void listNamesEveryExperiment() {
        CliRun r = CliRun.of("reproduce", "--list");
        assertEquals(0, r.code(), r.err());
        for (String name : List.of("addition-ape", "modular-addition", "multiplication", "modular-multiplication",
                "addition-relative", "multiplication-relative", "base-alignment")) {
            assertTrue(r.out().contains(name), name);
        }
        assertEquals(ExperimentCatalog.ALL.size(), r.out().split("time: about ", -1).length - 1,
                "a time per experiment");
    }

    @Test
    void theTimeOfAGridIsOneRunsTimePerRoundOfTwoRuns() {
        Experiment mul = ExperimentCatalog.named("multiplication");
        // 3 seeds: two rounds (2 runs, then 1); 4 seeds: still two.
        assertEquals(2 * mul.runMinutes(), mul.tinyMinutes(options(Scale.TINY, 3)), 1e-9);
        assertEquals(2 * mul.runMinutes(), mul.tinyMinutes(options(Scale.TINY, 4)), 1e-9);
        assertEquals(3 * mul.runMinutes(), mul.tinyMinutes(options(Scale.TINY, 5)), 1e-9);
        Experiment modAdd = ExperimentCatalog.named("modular-addition");
        String line = ReproduceCommand.timeLine(modAdd);
        assertTrue(line.contains("(6 runs, 2 at a time"), line);
        long all = Math.round(12 * modAdd.runMinutes()); // 24 runs: 12 rounds
        assertTrue(line.contains("--moduli all about " + all + " min (24 runs)"), line);
    }

    @Test
    void everyPlanIsATrainingRunThatParses() throws UsageException {
        for (Scale scale : Scale.values()) {
            for (Experiment e : ExperimentCatalog.ALL) {
                List<RunPlan> plans = e.plan(options(scale, 2));
                Set<String> ids = new HashSet<>();
                plans.forEach(p -> assertTrue(ids.add(p.id()), "unique id " + p.id()));
                ExperimentDirectory dir = ExperimentDirectory.check(tmp.resolve(e.name() + scale), e, scale);
                List<TrainSettings> settings = new ExperimentRunner(dir, options(scale, 2), 1).prepare(plans);
                for (int i = 0; i < plans.size(); i++) {
                    TrainSettings s = settings.get(i);
                    RunPlan p = plans.get(i);
                    assertEquals(p.task(), s.task().op().cliName(), p.id());
                    assertEquals(p.base(), s.task().base(), p.id());
                    assertEquals(p.modulus() == null ? 0 : p.modulus(), s.task().modulus(), p.id());
                    assertEquals(p.pos(), s.model().position().scheme().cliName(), p.id());
                    assertEquals(p.seed(), s.seed(), p.id());
                    assertTrue(s.balanceLengths(), p.id());
                    if (scale == Scale.PAPER) { // the paper's configuration
                        assertEquals(20, s.format().width(), p.id());
                        assertEquals(64, s.batch(), p.id());
                        assertEquals(6, s.model().layers(), p.id());
                        assertEquals(384, s.model().dim(), p.id());
                        assertEquals(1e-3f, s.schedule().maxLr(), p.id());
                    }
                }
            }
        }
        // Coupling's tiny format: every answer place has operand places to couple with (tests up to W - 1 digits).
        for (RunPlan p : ExperimentCatalog.named("addition-relative").plan(options(Scale.TINY, 1))) {
            assertEquals("10", flagValue(p, "--width"));
            assertEquals("10", flagValue(p, "--answer-width"));
            assertEquals("1-9", p.testDigits());
            // Random padding belongs to the coupling runs; the APE baseline keeps the paper's fixed layout.
            assertEquals(p.id().startsWith("coupling"), p.trainArgs().contains("--random-padding"), p.id());
        }
        // Coupling's random offset trains the ids that addition's longer tests reach; multiplication's tests stay
        // within the format, so its coupling runs train without one.
        for (String name : List.of("addition-relative", "multiplication-relative")) {
            for (RunPlan p : ExperimentCatalog.named(name).plan(options(Scale.TINY, 1))) {
                if (p.id().startsWith("coupling")) {
                    assertEquals(name.startsWith("addition") ? "20" : "0", flagValue(p, "--max-offset"), p.id());
                }
            }
        }
        List<RunPlan> mod = ExperimentCatalog.named("modular-addition").plan(options(Scale.TINY, 3));
        assertEquals(List.of("p100-seed0", "p100-seed1", "p100-seed2", "p101-seed0", "p101-seed1", "p101-seed2"),
                mod.stream().map(RunPlan::id).toList());
        // The modular experiments pad their training examples to random widths at tiny scale only; the paper's scale
        // keeps the paper's layout.
        for (Scale scale : Scale.values()) {
            for (String name : List.of("modular-addition", "base-alignment", "modular-multiplication")) {
                boolean random = scale == Scale.TINY;
                for (RunPlan p : ExperimentCatalog.named(name).plan(options(scale, 1))) {
                    assertEquals("ape", p.pos(), p.id());
                    List<String> args = p.trainArgs();
                    assertEquals(random, args.contains("--random-padding"), name + " " + scale + " " + p.id());
                    if (random) { // one digit narrower than W at most, every example drawn (mod 100: two, half)
                        boolean mul100 = name.equals("modular-multiplication") && p.modulus() == 100;
                        assertEquals(mul100 ? "2" : "1", flagValue(p, "--random-padding"), p.id());
                        assertEquals(mul100, args.contains("--random-padding-share"), p.id());
                        assertEquals("0.002", flagValue(p, "--lr"), p.id());
                    }
                }
            }
        }
    }

    /** The value a run's train command gives a flag (for --train-digits: the lengths its theory's n comes from). */
    private static String flagValue(RunPlan p, String flag) {
        List<String> args = p.trainArgs();
        return args.get(args.indexOf(flag) + 1);
    }

    @Test
    void modularMultiplicationTrainsOneDigitMoreWhereTheAnswerReadsTwoAndBaseAlignmentTrainsTwoDigits() {
        ExperimentOptions all = new ExperimentOptions(Scale.TINY, 1, List.of(50L, 51L, 100L, 150L, 200L, 201L), null,
                null, null, "cpu", null, 1);
        for (RunPlan p : ExperimentCatalog.named("modular-multiplication").plan(all)) {
            boolean dividesB2 = 100 % p.modulus() == 0; // 50 and 100: the answer reads each operand's last 2 digits
            assertEquals(dividesB2 ? "1:1,2:2,3:3,4:6" : "1:1,2:8", flagValue(p, "--train-digits"), p.id());
            assertEquals(dividesB2 ? "1-6" : "1-5", p.testDigits(), p.id()); // two outward lengths either way
            assertEquals(dividesB2 ? "7" : "5", flagValue(p, "--width"), p.id());
            // Two digits narrower at most, so that a 6-digit test's top digit sits where training puts digits too; for
            // half the examples, so that mod 50 still learns its trained lengths.
            assertEquals(dividesB2 ? "2" : "1", flagValue(p, "--random-padding"), p.id());
            assertEquals(dividesB2 ? "0.5" : "1", flagValueOr(p, "--random-padding-share", "1"), p.id());
        }
        for (RunPlan p : ExperimentCatalog.named("modular-multiplication").plan(options(Scale.PAPER, 1))) {
            assertEquals("1-4", flagValue(p, "--train-digits"), p.id()); // the paper's mix for every modulus
        }
        for (RunPlan p : ExperimentCatalog.named("base-alignment").plan(options(Scale.TINY, 1))) {
            // n = 2 keeps every group's alignment: 100 | 10^2, 100 does not divide 12^2 = 144, 144 | 12^2.
            assertEquals("1:1,2:2", flagValue(p, "--train-digits"), p.id());
        }
    }

    @Test
    void modularAdditionUntiesAndDecaysOnlyWhereTheAnswerIgnoresThePlacesAboveN() {
        ExperimentOptions all = new ExperimentOptions(Scale.TINY, 1, List.of(50L, 51L, 100L, 101L, 150L, 151L, 200L,
                201L), null, null, null, "cpu", null, 1);
        for (RunPlan p : ExperimentCatalog.named("modular-addition").plan(all)) {
            boolean dividesB3 = 1000 % p.modulus() == 0; // 50, 100 and 200 divide 10^3 (n = 3)
            assertEquals(dividesB3, p.trainArgs().contains("--untied"), p.id());
            assertEquals(dividesB3 ? "1" : "0.1", flagValueOr(p, "--weight-decay", "0.1"), p.id());
        }
        // The paper's scale keeps the paper's model, and every base-alignment group trains one recipe.
        for (RunPlan p : Stream.concat(ExperimentCatalog.named("modular-addition").plan(options(Scale.PAPER, 1))
                .stream(), ExperimentCatalog.named("base-alignment").plan(options(Scale.TINY, 1)).stream()).toList()) {
            assertFalse(p.trainArgs().contains("--untied"), p.id());
            assertEquals("0.1", flagValueOr(p, "--weight-decay", "0.1"), p.id());
        }
    }

    /** As flagValue, or the train command's default when the run does not give the flag. */
    private static String flagValueOr(RunPlan p, String flag, String otherwise) {
        return p.trainArgs().contains(flag) ? flagValue(p, flag) : otherwise;
    }

    @Test
    void badInputIsOneLineWithExitTwoAndWritesNothing() throws IOException {
        Path out = tmp.resolve("x");
        CliRun.assertUsage("use one of", "reproduce", "no-such-thing", "--out", out.toString());
        CliRun.assertUsage("drop --moduli", "reproduce", "addition-ape", "--moduli", "100", "--out", out.toString());
        CliRun.assertUsage("--moduli takes integers", "reproduce", "modular-addition", "--moduli", "1OO",
                "--out", out.toString());
        CliRun.assertUsage("--scale", "reproduce", "addition-ape", "--scale", "huge", "--out", out.toString());
        CliRun.assertUsage("name one experiment", "reproduce", "--out", out.toString());
        assertFalse(Files.exists(out), "nothing written for bad flags");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        CliRun.assertUsage("choose an empty or new --out", "reproduce", "addition-ape", "--out", out.toString());
        assertEquals(List.of(out.resolve("notes.txt")), Files.list(out).toList());
    }

    @Test
    void finishesTheGridThenSkipsFinishedRunsAndRefusesOtherSettings() throws IOException {
        Path out = tmp.resolve("exp");
        String[] args = {"reproduce", "addition-ape", "--seeds", "1", "--steps", "4", "--eval-count", "5",
                "--lengths", "1-4", "--backend", "cpu", "--threads", "1", "--out", out.toString()};
        CliRun first = CliRun.of(args);
        assertEquals(0, first.code(), first.err() + first.out());
        Path run = out.resolve("runs").resolve("ape-seed0");
        for (String f : List.of("experiment.json", "runs/ape-seed0/plan.json", "runs/ape-seed0/result.json",
                "runs/ape-seed0/" + RunFolder.CONFIG, "runs/ape-seed0/" + RunFolder.LATEST)) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonObject result = JsonParser.parseString(Files.readString(run.resolve("result.json"))).getAsJsonObject();
        assertEquals(4, result.get("step").getAsInt());
        assertEquals(4, result.getAsJsonArray("lengths").size());
        assertEquals(5, result.getAsJsonArray("lengths").get(0).getAsJsonObject().get("count").getAsInt());
        JsonObject plan = JsonParser.parseString(Files.readString(run.resolve("plan.json"))).getAsJsonObject();
        assertEquals("APE", plan.get("group").getAsString());
        assertTrue(plan.get("modulus").isJsonNull());

        // A finished run is not redone: its files stay as they were.
        String metrics = Files.readString(run.resolve(RunFolder.METRICS));
        String resultText = Files.readString(run.resolve("result.json"));
        CliRun again = CliRun.of(args);
        assertEquals(0, again.code(), again.err());
        assertEquals(metrics, Files.readString(run.resolve(RunFolder.METRICS)));
        assertEquals(resultText, Files.readString(run.resolve("result.json")));

        // Trained but killed before its evaluation: evaluated from the checkpoint, not retrained.
        Files.delete(run.resolve("result.json"));
        CliRun evalOnly = CliRun.of(args);
        assertEquals(0, evalOnly.code(), evalOnly.err());
        assertTrue(Files.isRegularFile(run.resolve("result.json")));
        assertEquals(metrics, Files.readString(run.resolve(RunFolder.METRICS)));

        // Other settings in the same folder would mix results: refused before anything is touched.
        String[] longer = args.clone();
        longer[5] = "6";
        CliRun.assertUsage("started with other settings", longer);
        assertEquals(resultText.length() > 0, Files.isRegularFile(run.resolve("result.json")));
        CliRun.assertUsage("holds experiment addition-ape", "reproduce", "multiplication", "--out", out.toString());
    }

    @Test
    void aPlanTheOptionsBreakIsRefusedInTheUsersFlagsBeforeAnythingIsWritten() {
        Path out = tmp.resolve("d");
        CliRun r = CliRun.of("reproduce", "modular-addition", "--lengths", "1-500", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("lengthgen reproduce: --lengths 1-500 is more than run p100-seed0 can be tested on"),
                err);
        assertFalse(err.contains("--width") || err.contains("--context"), "only flags the user gave: " + err);
        CliRun.assertUsage("choose shorter --lengths", "reproduce", "addition-ape", "--lengths", "1-100", "--out",
                out.toString());
        assertFalse(Files.exists(out), "nothing written");
        // The corrected command is not refused for what the refused one left.
        CliRun ok = CliRun.of("reproduce", "addition-ape", "--seeds", "1", "--steps", "2", "--eval-count", "3",
                "--lengths", "1-4", "--backend", "cpu", "--threads", "1", "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
    }

    @Test
    void optionsThatWouldChangeAFinishedExperimentAreRefused() throws IOException {
        Path out = tmp.resolve("exp");
        String[] args = {"reproduce", "addition-ape", "--seeds", "1", "--steps", "2", "--eval-count", "5",
                "--lengths", "1-4", "--backend", "cpu", "--threads", "1", "--out", out.toString()};
        assertEquals(0, CliRun.of(args).code());
        String result = Files.readString(out.resolve("runs/ape-seed0/result.json"));
        String[] other = args.clone();
        other[7] = "7"; // --eval-count
        CliRun.assertUsage("was planned with eval_count 5, not 7", other);
        assertEquals(result, Files.readString(out.resolve("runs/ape-seed0/result.json")));
    }

    @Test
    void aRunThatAnotherProcessTrainsIsRefusedNamingIt() throws Exception {
        Path out = tmp.resolve("exp");
        String[] args = {"reproduce", "addition-ape", "--seeds", "1", "--steps", "2", "--eval-count", "3",
                "--lengths", "1-4", "--backend", "cpu", "--threads", "1", "--out", out.toString()};
        assertEquals(0, CliRun.of(args).code());
        String[] more = args.clone();
        more[3] = "3"; // --seeds: ape-seed1 and ape-seed2 to train
        String manifest = Files.readString(out.resolve("experiment.json"));
        try (RunFolder held = RunFolder.lock(out.resolve("runs/ape-seed2"))) {
            CliRun.assertUsage("runs/ape-seed2 is being written by another lengthgen process (pid "
                    + ProcessHandle.current().pid() + ")", more);
            assertFalse(Files.exists(out.resolve("runs/ape-seed1")), "no run was started or locked");
            assertEquals(manifest, Files.readString(out.resolve("experiment.json")));
        }
        assertEquals(0, CliRun.of(more).code());
        assertTrue(Files.exists(out.resolve("runs/ape-seed2/result.json")));
    }
}

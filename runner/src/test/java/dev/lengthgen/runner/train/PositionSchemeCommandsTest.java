package dev.lengthgen.runner.train;

import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.runner.CliRun;
import dev.lengthgen.runner.run.RunFolder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `lengthgen train --pos ...` and `eval` end to end under every scheme, on the formats the schemes must serve
 * (operands reversed, unpadded variable-length sequences batched with right padding); the scheme is recorded in
 * the checkpoint; bad combinations are usage errors.
 */
class PositionSchemeCommandsTest {
    private static final List<String> TINY = List.of("--task", "add", "--width", "4", "--train-digits", "1-2",
            "--test-digits", "1-4", "--layers", "1", "--heads", "2", "--dim", "16", "--dropout", "0", "--batch", "8",
            "--steps", "4", "--eval-every", "4", "--log-every", "2", "--eval-samples", "6", "--backend", "reference");

    @TempDir
    Path tmp;

    private static String[] args(String command, List<String> base, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(base);
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PositionConfig.Scheme.class)
    void everySchemeTrainsAndEvaluatesOnUnpaddedReversedOperands(PositionConfig.Scheme scheme) throws Exception {
        Path run = tmp.resolve(scheme.cliName());
        List<String> extra = new ArrayList<>(List.of("--pos", scheme.cliName(), "--no-padding", "--reverse-operands",
                "--out", run.toString()));
        if (scheme != PositionConfig.Scheme.NOPE && !scheme.fromDigitPlaces()) {
            extra.addAll(List.of("--randomize-positions", "40"));
        }
        CliRun train = CliRun.of(args("train", TINY, extra.toArray(new String[0])));
        assertEquals(0, train.code(), train.err());
        PositionConfig stored = Checkpoint.open(run.resolve(RunFolder.LATEST)).config().position();
        assertEquals(scheme, stored.scheme());
        if (scheme.fromDigitPlaces()) {
            assertEquals(4, stored.maxOffset(), "the default offset range is the operand width");
        }
        CliRun eval = CliRun.of("eval", "--run", run.toString(), "--count", "5", "--backend", "reference");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("outward"), eval.out());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "--pos|sideways|unknown position scheme 'sideways'",
            "--max-offset|3|--max-offset applies to --pos abacus and coupling only",
            "--randomize-positions|5|--randomize-positions 5 is shorter than the task's sequences"})
    void badSettingsAreUsageErrors(String flag, String value, String message) {
        CliRun.assertUsage(message, args("train", TINY, flag, value, "--out", tmp.resolve("bad").toString()));
    }

    @Test
    void randomPaddingTrainsAndIsRecordedButNeedsPadding() throws Exception {
        Path run = tmp.resolve("random-padding");
        CliRun train = CliRun.of(args("train", TINY, "--pos", "coupling", "--random-padding", "--out",
                run.toString()));
        assertEquals(0, train.code(), train.err());
        String config = Files.readString(run.resolve(RunFolder.CONFIG));
        assertTrue(config.contains("\"random_padding\": 4"), config); // no K: any width, up to W = 4 narrower
        Path bounded = tmp.resolve("random-padding-1");
        CliRun one = CliRun.of(args("train", TINY, "--random-padding", "1", "--out", bounded.toString()));
        assertEquals(0, one.code(), one.err());
        String oneConfig = Files.readString(bounded.resolve(RunFolder.CONFIG));
        assertTrue(oneConfig.contains("\"random_padding\": 1"), oneConfig);
        assertTrue(oneConfig.contains("\"random_padding_share\": 1.0"), oneConfig);
        CliRun.assertUsage("--random-padding-share needs --random-padding",
                args("train", TINY, "--random-padding-share", "0.5", "--out", tmp.resolve("bad").toString()));
        CliRun.assertUsage("--random-padding-share must be between 0.0 and 1.0, got 2",
                args("train", TINY, "--random-padding", "--random-padding-share", "2", "--out",
                        tmp.resolve("bad").toString()));
        CliRun.assertUsage("--random-padding must be between 1 and 4, got 5",
                args("train", TINY, "--random-padding", "5", "--out", tmp.resolve("bad").toString()));
        CliRun.assertUsage("--random-padding needs a whole number, got 'x'",
                args("train", TINY, "--random-padding", "x", "--out", tmp.resolve("bad").toString()));
        CliRun.assertUsage("--random-padding varies the zero padding, which --no-padding removes",
                args("train", TINY, "--random-padding", "--no-padding", "--out", tmp.resolve("bad").toString()));
        assertTrue(!Files.exists(tmp.resolve("bad")), "a refused run writes nothing");
    }

    @Test
    void aDigitSchemeNeedsAnswerPlacesItCanKnowWhileGenerating() {
        CliRun.assertUsage("--plain-answer", args("train", TINY, "--pos", "coupling", "--plain-answer", "--no-padding",
                "--out", tmp.resolve("bad").toString()));
    }
}

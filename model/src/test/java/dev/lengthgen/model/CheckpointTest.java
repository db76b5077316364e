package dev.lengthgen.model;

import com.google.gson.Gson;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.model.checkpoint.CheckpointException;
import dev.lengthgen.model.checkpoint.Safetensors;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.train.AdamWConfig;
import dev.lengthgen.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    private static final GptConfig CONFIG = TinyModels.tiny(false, true, 0.2f);
    private static final int B = 3, T = 7;

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsEveryParameterAndTheMetadata() throws IOException {
        ReferenceBackend be = new ReferenceBackend();
        GptModel model = new GptModel(CONFIG, be);
        model.initialize(42);
        Path file = dir.resolve("model.safetensors");
        Checkpoint.save(file, model, null, Map.of("task", "{\"op\":\"add\"}"));

        Checkpoint ck = Checkpoint.open(file);
        assertEquals(CONFIG, ck.config());
        assertEquals("{\"op\":\"add\"}", ck.metadata().get("task"));
        GptModel loaded = new GptModel(ck.config(), new ReferenceBackend());
        ck.loadParameters(loaded);
        assertArrayEquals(model.downloadParameters(), loaded.downloadParameters());
    }

    @Test
    void headerIsPlainSafetensors() throws IOException {
        ReferenceBackend be = new ReferenceBackend();
        GptModel model = new GptModel(CONFIG, be);
        model.initialize(1);
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, model, null, Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"transformer.wte.weight\":{\"dtype\":\"F32\",\"shape\":[7,12],"
                + "\"data_offsets\":[0,336]}"), header);
        assertEquals(8 + headerLen + 4 * model.layout.total(), bytes.length);
        // The first value of wte, read as a numpy user would.
        float first = ByteBuffer.wrap(bytes, (int) (8 + headerLen), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(model.downloadParameters()[0], first);
    }

    @Test
    void resumeContinuesBitForBit() throws IOException {
        int steps = 6;
        // Straight through.
        Trainer straight = newTrainer();
        float[] lossesStraight = new float[steps];
        for (int s = 0; s < steps; s++) {
            lossesStraight[s] = straight.step(TinyModels.randomBatch(CONFIG, B, T, s), 1e-2f);
        }
        // Half, save, load into fresh objects, other half.
        Trainer first = newTrainer();
        float[] lossesResumed = new float[steps];
        for (int s = 0; s < steps / 2; s++) {
            lossesResumed[s] = first.step(TinyModels.randomBatch(CONFIG, B, T, s), 1e-2f);
        }
        Path file = dir.resolve("latest.safetensors");
        Checkpoint.save(file, first.model, first, Map.of());
        Checkpoint ck = Checkpoint.open(file);
        assertEquals(steps / 2, ck.step());
        GptModel model = new GptModel(ck.config(), new ReferenceBackend());
        ck.loadParameters(model);
        Trainer second = new Trainer(model, B, T, AdamWConfig.paper(), 9);
        ck.loadOptimizer(second);
        for (int s = steps / 2; s < steps; s++) {
            lossesResumed[s] = second.step(TinyModels.randomBatch(CONFIG, B, T, s), 1e-2f);
        }
        assertArrayEquals(lossesStraight, lossesResumed);
        assertArrayEquals(straight.model.downloadParameters(), second.model.downloadParameters());
    }

    private static Trainer newTrainer() {
        GptModel model = new GptModel(CONFIG, new ReferenceBackend());
        model.initialize(8);
        return new Trainer(model, B, T, AdamWConfig.paper(), 9);
    }

    @Test
    void truncatedAndCorruptFilesAreRejectedWithAClearMessage() throws IOException {
        GptModel model = new GptModel(CONFIG, new ReferenceBackend());
        model.initialize(2);
        Path good = dir.resolve("good.safetensors");
        Checkpoint.save(good, model, null, Map.of());
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 10));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(truncated));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[]{1, 2, 3});
        assertThrows(CheckpointException.class, () -> Checkpoint.open(tiny));

        byte[] badLength = bytes.clone();
        ByteBuffer.wrap(badLength).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Path corrupt = dir.resolve("corrupt.safetensors");
        Files.write(corrupt, badLength);
        e = assertThrows(CheckpointException.class, () -> Checkpoint.open(corrupt));
        assertTrue(e.getMessage().contains("header length"), e.getMessage());

        byte[] badJson = bytes.clone();
        badJson[8] = 'x';
        Path garbled = dir.resolve("garbled.safetensors");
        Files.write(garbled, badJson);
        assertThrows(CheckpointException.class, () -> Checkpoint.open(garbled));
    }

    @Test
    void aShapeThatDisagreesWithTheConfigIsRejected() throws IOException {
        GptModel model = new GptModel(CONFIG, new ReferenceBackend());
        model.initialize(2);
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, model, null, Map.of());
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        // Claim a different width in the stored config: every tensor's shape then disagrees.
        String edited = text.replace("\\\"dim\\\":12", "\\\"dim\\\":15");
        assertTrue(!edited.equals(text), "the config must be in the header");
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, edited.getBytes(StandardCharsets.ISO_8859_1));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(bad));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }

    @Test
    void aCheckpointRefusesAModelWithAnotherPositionScheme() throws IOException {
        // abacus and ape have the same tensors and shapes: only the recorded scheme tells them apart.
        GptConfig abacus = CONFIG.withPosition(PositionConfig.of(PositionConfig.Scheme.ABACUS).withMaxOffset(3));
        GptModel model = new GptModel(abacus, new ReferenceBackend());
        model.initialize(5);
        Path file = dir.resolve("abacus.safetensors");
        Checkpoint.save(file, model, null, Map.of());
        Checkpoint ck = Checkpoint.open(file);
        assertEquals(abacus, ck.config());
        var e = assertThrows(CheckpointException.class,
                () -> ck.loadParameters(new GptModel(CONFIG, new ReferenceBackend())));
        assertTrue(e.getMessage().contains("position scheme abacus (max offset 3) but the model uses ape")
                && e.getMessage().contains("position scheme abacus)"), e.getMessage());
        GptModel other = new GptModel(CONFIG.withPosition(PositionConfig.of(PositionConfig.Scheme.ABACUS)),
                new ReferenceBackend());
        assertThrows(CheckpointException.class, () -> ck.loadParameters(other),
                "another offset range is another model");
    }

    @Test
    void aConfigWrittenBeforePositionSchemesReadsAsApe() {
        String old = "{\"layers\":2,\"heads\":3,\"dim\":12,\"context\":9,\"vocab\":7,\"dropout\":0.2,"
                + "\"bias\":false,\"tiedEmbeddings\":true}";
        assertEquals(CONFIG, new Gson().fromJson(old, GptConfig.class));
    }

    @Test
    void aKilledSaveLeavesThePreviousCheckpoint() throws IOException {
        GptModel model = new GptModel(CONFIG, new ReferenceBackend());
        model.initialize(2);
        Path file = dir.resolve("latest.safetensors");
        Checkpoint.save(file, model, null, Map.of());
        byte[] before = Files.readAllBytes(file);
        // A save that fails part-way (here: a tensor that claims more data than it has) must not touch the target.
        assertThrows(RuntimeException.class, () -> Safetensors.write(file, Map.of(),
                List.of(new Safetensors.Tensor("x", new int[]{100}, new float[3], 0))));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    /** Rewrites a safetensors header through a text edit, keeping the tensor data: a corrupt or hand-edited file. */
    private static Path edited(Path file, Path to, UnaryOperator<String> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] json = edit.apply(new String(bytes, 8, n, StandardCharsets.UTF_8).strip())
                .getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        while (out.position() < 8 + padded) {
            out.put((byte) ' ');
        }
        out.put(bytes, 8 + n, bytes.length - 8 - n);
        Files.write(to, out.array());
        return to;
    }

    @Test
    void headerNumbersMustBeWholeNumbersInRangeNotWrappedOrTruncated() throws IOException {
        GptModel model = new GptModel(CONFIG, new ReferenceBackend());
        model.initialize(2);
        Path good = dir.resolve("good.safetensors");
        Checkpoint.save(good, model, null, Map.of());
        String wte = "\"shape\":[7,12]";
        assertTrue(new String(Files.readAllBytes(good), StandardCharsets.UTF_8).contains(wte));
        // 4294967303 is 7 + 2^32: read as an int it wraps to 7, a shape that matches.
        for (String[] bad : new String[][]{{"[4294967303,12]", "a dimension 4294967303"},
                {"[7.5,12]", "a dimension 7.5"}, {"[4e18]", "a dimension 4e18 that is not a whole number"},
                {"[-7,12]", "a dimension -7"}, {"[\"7\",12]", "a dimension \"7\""}}) {
            Path f = edited(good, dir.resolve("bad.safetensors"), h -> h.replace(wte, "\"shape\":" + bad[0]));
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(f), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
        Path offsets = edited(good, dir.resolve("offsets.safetensors"),
                h -> h.replace("\"data_offsets\":[0,336]", "\"data_offsets\":[0.0,336.5]"));
        assertThrows(CheckpointException.class, () -> Checkpoint.open(offsets));
    }

    @Test
    void metadataMustBeStringsAndTheStepAWholeNumber() throws IOException {
        GptModel model = new GptModel(CONFIG, new ReferenceBackend());
        model.initialize(2);
        Path good = dir.resolve("good.safetensors");
        Checkpoint.save(good, model, null, Map.of("task", "add"));
        for (String[] bad : new String[][]{{"\"task\":\"add\"", "\"task\":7", "metadata entry task is not a string"},
                {"\"lengthgen.step\":\"0\"", "\"lengthgen.step\":\"abc\"", "invalid step count"},
                {"\"lengthgen.step\":\"0\"", "\"lengthgen.step\":\"-5\"", "invalid step count"},
                {"\"lengthgen.step\":\"0\"", "\"lengthgen.step\":\"99999999999\"", "invalid step count"},
                {"\"lengthgen.config\":\"{", "\"lengthgen.config\":\"{,", "invalid model config"}}) {
            Path f = edited(good, dir.resolve("bad.safetensors"), h -> h.replace(bad[0], bad[1]));
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(f), bad[1]);
            assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("https://"), e.getMessage());
        }
    }
}

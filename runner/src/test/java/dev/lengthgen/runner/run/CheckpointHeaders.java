package dev.lengthgen.runner.run;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/** Edits the JSON header of a safetensors file in place, as a corrupting disk or a hand edit would. */
final class CheckpointHeaders {
    private CheckpointHeaders() {
    }

    /** The header of a safetensors file. */
    static JsonObject read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return JsonParser.parseString(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** Rewrites the header with an edit of it; the tensor data stays as it was. */
    static void edit(Path file, Consumer<JsonObject> change) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = read(file);
        change.accept(header);
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put(Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length));
        Files.write(file, out.array());
    }

    /** Rewrites one metadata entry with a string value, or removes it when the value is null. */
    static void setMetadata(Path file, String key, String value) throws IOException {
        edit(file, h -> {
            JsonObject meta = h.getAsJsonObject("__metadata__");
            if (value == null) {
                meta.remove(key);
            } else {
                meta.addProperty(key, value);
            }
        });
    }
}

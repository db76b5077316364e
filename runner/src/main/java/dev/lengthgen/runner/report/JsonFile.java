package dev.lengthgen.runner.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;

import java.nio.file.Path;

/**
 * Reads the JSON files of an experiment folder. Every problem becomes a {@link UsageException} that names the file
 * and the field, because a report is only as good as the files it reads and the user has to fix them by hand.
 */
final class JsonFile {
    private final Path file;
    private final JsonObject root;

    private JsonFile(Path file, JsonObject root) {
        this.file = file;
        this.root = root;
    }

    /** Parses {@code file} as one JSON object; {@code fix} says what the user should do when it is not. */
    static JsonFile read(Path file, String fix) throws UsageException {
        return new JsonFile(file, JsonText.readObject(file, fix));
    }

    JsonObject root() {
        return root;
    }

    Path file() {
        return file;
    }

    /** A required string field (numbers are accepted and written as text). */
    String string(String key) throws UsageException {
        JsonElement e = root.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw missing(key, "a string");
        }
        return e.getAsString();
    }

    /** An optional string field: null when absent or null. */
    String optionalString(String key) {
        JsonElement e = root.get(key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    int integer(String key) throws UsageException {
        Integer v = optionalInteger(key);
        if (v == null) {
            throw missing(key, "a whole number");
        }
        return v;
    }

    /** An optional whole number: null when absent, null or not a whole number. */
    Integer optionalInteger(String key) {
        Double d = number(root.get(key));
        return d == null || d != Math.rint(d) ? null : (int) Math.round(d);
    }

    Double optionalDouble(String key) {
        return number(root.get(key));
    }

    UsageException missing(String key, String what) {
        return new UsageException(file + ": field '" + key + "' should be " + what
                + ": rerun 'lengthgen reproduce' to rewrite it, or fix the file");
    }

    /** A finite number, or null for anything else (absent, null, NaN, text): reports show such values as missing. */
    static Double number(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        double d = e.getAsDouble();
        return Double.isFinite(d) ? d : null;
    }
}

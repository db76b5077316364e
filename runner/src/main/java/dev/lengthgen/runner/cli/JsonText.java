package dev.lengthgen.runner.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON that lengthgen wrote and reads back (a run's config.json, a checkpoint's run description), read so that a
 * broken or edited file gives one line in our words: where the JSON breaks, not Gson's exception and its
 * troubleshooting link.
 */
public final class JsonText {
    private static final Pattern POSITION = Pattern.compile("line (\\d+) column (\\d+)");

    private JsonText() {
    }

    /**
     * Parses one JSON object.
     *
     * @param source names the text in the message ("runs/a/config.json")
     * @param fix    what the user should do when it is not a JSON object
     */
    public static JsonObject object(String text, String source, String fix) throws UsageException {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(text);
        } catch (RuntimeException e) {
            throw new UsageException(source + " is not valid JSON (" + position(e) + "): " + fix);
        }
        if (!parsed.isJsonObject()) {
            throw new UsageException(source + " should hold one JSON object: " + fix);
        }
        return parsed.getAsJsonObject();
    }

    /**
     * Reads a file that holds one JSON object. A file that cannot be read, is not UTF-8 text, or is not a JSON object
     * gives one line naming the file and what is wrong.
     */
    public static JsonObject readObject(Path file, String fix) throws UsageException {
        return object(readText(file, fix), file.toString(), fix);
    }

    /** A whole file as UTF-8 text; unreadable bytes and read errors are one-line {@link UsageException}s. */
    public static String readText(Path file, String fix) throws UsageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + " (" + FileWriteException.reason(e) + "): " + fix);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UsageException(file + " is not UTF-8 text: " + fix);
        }
    }

    /** "at line 1 column 6" from Gson's message, which otherwise talks about its own API. */
    public static String position(RuntimeException e) {
        Matcher m = POSITION.matcher(String.valueOf(e.getMessage()));
        return m.find() ? "at line " + m.group(1) + " column " + m.group(2) : firstLine(e.getMessage());
    }

    /** The first line of a message (several-line messages would break the one-line promise). */
    public static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}

package dev.lengthgen.runner.run;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * metrics.jsonl: one JSON object per logged step, appended as training goes. Every line is written with one write
 * and, when that write fails (a full disk), cut back off, so the file only ever holds whole lines, and a run killed
 * at any moment leaves at most its last line cut short. A resumed run keeps the lines up to its checkpoint's step
 * and drops the later ones (logged after that checkpoint by the run that was then stopped), truncating the file in
 * place, so each step appears once and the file keeps its owner and mode.
 */
public final class MetricsLog implements AutoCloseable {
    private static final Gson GSON = new Gson();
    private final Path file;
    private final FileChannel out;

    private MetricsLog(Path file, FileChannel out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Where a resumed run's log is cut: after its last line of a step up to the checkpoint's.
     *
     * @param keep bytes of the file that stay
     * @param endsLine whether those bytes end with a line break (a last line written whole but for its break)
     */
    public record Cut(long keep, boolean endsLine) {
        /** The cut of a log that does not exist yet. */
        public static final Cut EMPTY = new Cut(0, true);
    }

    /**
     * Reads the log of a run resumed at step {@code keepUpTo} and says where to cut it; writes nothing. A line that
     * is not a metrics line (not UTF-8, not JSON, no whole step) is refused, naming its number, unless it is the
     * last line and unfinished (cut short by a killed run: dropped) or comes after the cut (dropped anyway).
     */
    public static Cut plan(Path file, int keepUpTo) throws UsageException {
        if (!Files.exists(file)) {
            return Cut.EMPTY;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + " (" + FileWriteException.reason(e) + ")");
        }
        int start = 0;
        int lineNumber = 0;
        while (start < bytes.length) {
            lineNumber++;
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            if (end == start) { // an empty line: nothing to keep or drop
                start = end + 1;
                continue;
            }
            Integer step = step(bytes, start, end);
            if (step == null) {
                if (end >= bytes.length) {
                    return new Cut(start, true); // the last line, without its line break: cut short by a killed run
                }
                throw new UsageException(file + " line " + lineNumber + " is not a metrics line (it should be one "
                        + "JSON object with a whole \"step\"): repair or delete that line, then resume");
            }
            if (step > keepUpTo) {
                return new Cut(start, true);
            }
            start = end + 1;
        }
        return new Cut(bytes.length, bytes.length == 0 || bytes[bytes.length - 1] == '\n');
    }

    /** The step of one line, or null when it is not a metrics line. */
    private static Integer step(byte[] bytes, int from, int to) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                return null;
            }
            JsonElement step = e.getAsJsonObject().get("step");
            if (step == null || !step.isJsonPrimitive() || !((JsonPrimitive) step).isNumber()) {
                return null;
            }
            double d = step.getAsDouble();
            return d == Math.rint(d) && d >= 0 && d <= Integer.MAX_VALUE ? (int) d : null;
        } catch (CharacterCodingException | RuntimeException e) {
            return null;
        }
    }

    /** Opens a new run's log (creating it, empty) or a resumed one's, cut where {@link #plan} said. */
    public static MetricsLog open(Path file, Cut cut) throws IOException {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ch.truncate(cut.keep());
            ch.position(cut.keep());
            if (!cut.endsLine()) {
                ch.write(ByteBuffer.wrap(new byte[]{'\n'}));
            }
            return new MetricsLog(file, ch);
        } catch (IOException e) {
            if (ch != null) {
                ch.close();
            }
            throw new FileWriteException(file, e);
        }
    }

    /** Appends one line; on failure the file is cut back to its lines before it. */
    public void write(JsonObject record) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((GSON.toJson(record) + "\n").getBytes(StandardCharsets.UTF_8));
        long before = out.position();
        try {
            while (line.hasRemaining()) {
                out.write(line);
            }
        } catch (IOException e) {
            try {
                out.truncate(before);
                out.position(before);
            } catch (IOException ignored) {
                // the resume drops a line cut short
            }
            throw new FileWriteException(file, e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

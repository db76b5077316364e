package dev.lengthgen.model.checkpoint;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (8-byte little-endian header length, a JSON header of dtype/shape/data_offsets per tensor
 * plus string metadata, then raw little-endian data), restricted to F32, so that numpy, PyTorch and the Hugging Face
 * safetensors library read lengthgen checkpoints directly. Writes are atomic: a temporary file in the same folder is
 * written, forced to disk and renamed over the target, so a killed save leaves the previous file intact. Reads go
 * through one open channel, so a file replaced while it is read (a live run saving its next checkpoint) is read whole,
 * as it was when opened. The header is parsed strictly: every number must be a whole number in range, every metadata
 * value a string; anything else is refused as corrupt before a byte of tensor data is allocated.
 */
public final class Safetensors {
    /** Headers larger than this are rejected as corrupt before anything is allocated. */
    static final long MAX_HEADER_BYTES = 64L << 20;

    private Safetensors() {
    }

    /** A tensor to write: values [offset, offset + size) of data, with a shape whose product is that size. */
    public record Tensor(String name, int[] shape, float[] data, int offset) {
        public long size() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** One entry of a parsed header: where its bytes are in the data section. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** A parsed, validated header and where the data section starts in the file. */
    public record Header(Path path, Map<String, String> metadata, Map<String, Entry> entries, long dataStart) {
    }

    public static void write(Path target, Map<String, String> metadata, List<Tensor> tensors) throws IOException {
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        metadata.forEach(meta::addProperty);
        header.add("__metadata__", meta);
        long cursor = 0;
        for (Tensor t : tensors) {
            JsonObject e = new JsonObject();
            e.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) {
                shape.add(d);
            }
            e.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(cursor);
            offsets.add(cursor + 4 * t.size());
            e.add("data_offsets", offsets);
            header.add(t.name(), e);
            cursor += 4 * t.size();
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8-byte alignment
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path dir = target.toAbsolutePath().getParent();
        // Not Files.createTempFile: its files are private to the owner (0600), and checkpoints are shared to be read.
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                writeFully(ch, head);
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors) {
                    int from = t.offset(), to = Math.toIntExact(t.offset() + t.size());
                    for (int i = from; i < to; i++) {
                        if (!chunk.hasRemaining()) {
                            chunk.flip();
                            writeFully(ch, chunk);
                            chunk.clear();
                        }
                        chunk.putFloat(t.data()[i]);
                    }
                }
                chunk.flip();
                writeFully(ch, chunk);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write's own failure is the one to report
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Reads and validates the header through an open channel: sizes, dtypes, shapes against offsets, and that the data
     * section adds up.
     */
    public static Header readHeader(FileChannel ch, Path path) throws CheckpointException {
        try {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new CheckpointException(path + " is not a safetensors checkpoint (only " + fileSize + " bytes)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > fileSize - 8) {
                throw new CheckpointException(path + " has a corrupt header length (" + headerLen
                        + " bytes in a file of " + fileSize + "): the file is truncated or not a safetensors"
                        + " checkpoint");
            }
            ByteBuffer json = ByteBuffer.allocate((int) headerLen);
            readFully(ch, json, 8);
            JsonObject root;
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(json.flip()).toString();
                root = JsonParser.parseString(text).getAsJsonObject();
            } catch (CharacterCodingException | RuntimeException e) {
                throw new CheckpointException(path + " has an unreadable JSON header: the file is corrupt");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = new LinkedHashMap<>();
            long dataSize = fileSize - 8 - headerLen;
            List<Entry> byOffset = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : root.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    readMetadata(path, e.getValue(), metadata);
                    continue;
                }
                Entry entry = parseEntry(path, e.getKey(), e.getValue());
                if (entry.end() > dataSize) {
                    throw new CheckpointException(path + ": tensor " + entry.name() + " ends at byte " + entry.end()
                            + " of a data section of " + dataSize + " bytes: the file is truncated");
                }
                entries.put(entry.name(), entry);
                byOffset.add(entry);
            }
            byOffset.sort((a, b) -> Long.compare(a.begin(), b.begin()));
            long expect = 0;
            for (Entry e : byOffset) {
                if (e.begin() != expect) {
                    throw new CheckpointException(path + ": tensor " + e.name() + " starts at byte " + e.begin()
                            + " where " + expect + " was expected (overlapping or gapped data): the file is corrupt");
                }
                expect = e.end();
            }
            if (expect != dataSize) {
                throw new CheckpointException(path + ": the tensors cover " + expect
                        + " bytes but the data section has " + dataSize + ": the file is truncated or corrupt");
            }
            return new Header(path, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(entries),
                    8 + headerLen);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot read checkpoint " + path + ": " + oneLine(e), e);
        }
    }

    /** The format's metadata: an object of strings, nothing else. */
    private static void readMetadata(Path path, JsonElement value, Map<String, String> into)
            throws CheckpointException {
        if (!value.isJsonObject()) {
            throw new CheckpointException(path + ": __metadata__ is not an object of strings: the file is corrupt");
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new CheckpointException(path + ": metadata entry " + m.getKey() + " is not a string: the file is "
                        + "corrupt");
            }
            into.put(m.getKey(), v.getAsString());
        }
    }

    private static Entry parseEntry(Path path, String name, JsonElement value) throws CheckpointException {
        String corrupt = path + ": malformed header entry for " + name + ": the file is corrupt";
        if (!value.isJsonObject()) {
            throw new CheckpointException(corrupt);
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
            throw new CheckpointException(corrupt);
        }
        String dtype = dt.getAsString();
        if (!dtype.equals("F32")) {
            throw new CheckpointException(path + ": tensor " + name + " has dtype " + dtype
                    + "; lengthgen reads F32 only");
        }
        JsonElement s = o.get("shape");
        JsonElement off = o.get("data_offsets");
        if (s == null || !s.isJsonArray() || off == null || !off.isJsonArray() || off.getAsJsonArray().size() != 2) {
            throw new CheckpointException(corrupt);
        }
        JsonArray dims = s.getAsJsonArray();
        int[] shape = new int[dims.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = (int) wholeNumber(dims.get(i), Integer.MAX_VALUE, path, name, "a dimension");
            elements = multiply(elements, shape[i], corrupt);
        }
        long begin = wholeNumber(off.getAsJsonArray().get(0), Long.MAX_VALUE, path, name, "an offset");
        long end = wholeNumber(off.getAsJsonArray().get(1), Long.MAX_VALUE, path, name, "an offset");
        if (end < begin || end - begin != multiply(4, elements, corrupt)) {
            throw new CheckpointException(path + ": tensor " + name + " has offsets [" + begin + ", " + end
                    + ") that do not match its shape " + Arrays.toString(shape) + ": the file is corrupt");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /**
     * A JSON number that is a whole number in [0, max]; anything else (text, a fraction, a value too large for the
     * field, which a lenient read would wrap or truncate into a plausible one) is refused.
     */
    private static long wholeNumber(JsonElement e, long max, Path path, String tensor, String what)
            throws CheckpointException {
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                BigInteger v = new BigDecimal(((JsonPrimitive) e).getAsString()).toBigIntegerExact();
                if (v.signum() >= 0 && v.compareTo(BigInteger.valueOf(max)) <= 0) {
                    return v.longValueExact();
                }
            } catch (ArithmeticException | NumberFormatException notWhole) {
                // refused below
            }
        }
        throw new CheckpointException(path + ": tensor " + tensor + " has " + what + " " + e + " that is not a whole "
                + "number from 0 to " + max + ": the file is corrupt");
    }

    private static long multiply(long a, long b, String corrupt) throws CheckpointException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new CheckpointException(corrupt);
        }
    }

    /** Reads one tensor's values into dst[dstOffset, dstOffset + elements) through the channel of its header. */
    public static void read(FileChannel ch, Header h, String name, float[] dst, int dstOffset)
            throws CheckpointException {
        Entry e = h.entries().get(name);
        if (e == null) {
            throw new CheckpointException(h.path() + " has no tensor " + name);
        }
        try {
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, buf, h.dataStart() + e.begin());
            buf.flip().asFloatBuffer().get(dst, dstOffset, (int) e.elements());
        } catch (IOException | ArithmeticException ex) {
            throw new CheckpointException("cannot read " + name + " from " + h.path() + ": " + oneLine(ex), ex);
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                throw new CheckpointException("unexpected end of file: the checkpoint is truncated");
            }
            p += n;
        }
    }
}

package dev.lengthgen.runner.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file through a temporary file in the same folder and a rename, so a reader (a resumed run, a browser
 * refreshing report.html while a long experiment runs) never sees a half-written file, and a failed or killed write
 * leaves the old one. Every small file lengthgen writes (run configs, results, reports) goes through here. A failed
 * write throws {@link FileWriteException} (the target's path and the reason on one line) and leaves no temporary
 * file; one left by a killed process is named {@code .NAME.HEX.tmp} (see {@link #temporaryOf}).
 */
public final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.[0-9a-f]+\\.tmp");

    private AtomicFile() {
    }

    public static void write(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        // Not Files.createTempFile: its files are private to the owner (0600); results are for reading.
        String suffix = "." + Long.toHexString(RANDOM.nextLong()) + ".tmp";
        Path tmp = target.resolveSibling("." + target.getFileName() + suffix);
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new FileWriteException(target, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write's own failure is the one to report
            }
        }
    }

    /**
     * The file a temporary file belongs to, as this class and checkpoint saves name them ({@code .config.json.1f3a.tmp}
     * belongs to config.json), or null for any other name. A process killed while writing leaves these behind.
     */
    public static String temporaryOf(String fileName) {
        Matcher m = TEMPORARY.matcher(fileName);
        return m.matches() ? m.group(1) : null;
    }
}

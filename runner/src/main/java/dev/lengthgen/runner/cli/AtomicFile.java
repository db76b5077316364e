package dev.lengthgen.runner.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes a file through a temporary file in the same folder and a rename, so a reader (a resumed run, a browser
 * refreshing report.html while a long experiment runs) never sees a half-written file, and a failed or killed write
 * leaves the old one. Every small file lengthgen writes (run configs, results, reports) goes through here.
 */
public final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();

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
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

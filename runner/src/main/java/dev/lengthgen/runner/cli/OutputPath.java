package dev.lengthgen.runner.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a command writes a result file given {@code --out PATH}: into PATH when it is a directory (under a default
 * name), else to the file PATH. It is checked before any work is done (by writing and deleting a probe file
 * there), never overwrites an existing file, and is written to a temporary file that is then renamed, so an
 * interrupted write leaves nothing half-written.
 */
public final class OutputPath {
    private final Path file;

    private OutputPath(Path file) {
        this.file = file;
    }

    /**
     * Resolves and checks --out.
     *
     * @param defaultName the file name used when PATH is a directory
     */
    public static OutputPath resolve(Path out, String defaultName) throws UsageException {
        Path target = Files.isDirectory(out) ? out.resolve(defaultName) : out;
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException("--out " + out + ": the directory " + parent
                    + " does not exist: create it or choose another path");
        }
        try { // a real write: permissions alone do not tell (/proc and /sys look writable to root)
            Files.delete(Files.createTempFile(parent, ".write-check", ".tmp"));
        } catch (IOException e) {
            throw new UsageException("--out " + out + ": cannot write in " + parent + " ("
                    + FileWriteException.reason(e) + "): choose another path");
        }
        if (Files.exists(target)) {
            throw new UsageException("--out " + out + ": " + target + " already exists: remove it or choose another"
                    + " path");
        }
        return new OutputPath(target);
    }

    public Path file() {
        return file;
    }

    /** Writes the text (UTF-8) through a temporary file and a rename. */
    public void write(String text) throws IOException {
        AtomicFile.write(file, text);
    }
}

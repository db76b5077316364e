package dev.lengthgen.runner.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A file could not be written (disk full, no permission, a read-only or special file system). The message is one
 * line that names the file and the system's reason; the program prints it and exits with code 1. The writers
 * that throw it leave the previous file as it was and no temporary file behind.
 */
public final class FileWriteException extends IOException {
    private static final Map<String, String> KINDS = Map.of("NoSuchFileException", "no such file or folder",
            "AccessDeniedException", "permission denied", "DirectoryNotEmptyException", "a folder is in the way",
            "FileAlreadyExistsException", "it already exists", "NotDirectoryException", "not a folder");
    public FileWriteException(Path file, IOException cause) {
        super("cannot write " + file + ": " + reason(cause), cause);
    }

    /** What went wrong, in the system's words ("No space left on device", "File too large"), without a path. */
    public static String reason(IOException e) {
        if (e instanceof FileWriteException) {
            return reason((IOException) e.getCause());
        }
        if (e instanceof FileSystemException f) { // its message is the path: the reason, or what kind of failure
            return f.getReason() != null ? f.getReason() : KINDS.getOrDefault(f.getClass().getSimpleName(),
                    f.getClass().getSimpleName());
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}

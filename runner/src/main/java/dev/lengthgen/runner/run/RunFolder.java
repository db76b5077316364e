package dev.lengthgen.runner.run;

import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder a training run writes: config.json (how it was started), metrics.jsonl (one JSON object per logged
 * step), latest.safetensors and best.safetensors (checkpoints), eval.json / eval.csv (results of `lengthgen eval`).
 *
 * <p>A process that writes a run holds the folder's {@link RunLock} for as long as it lives, and does its writing
 * through an open {@code RunFolder}: {@link #lock} takes the lock (creating the folder when it is missing), then the
 * caller checks everything it will need, writing nothing; only then does it {@link #recover}, clean up and write.
 * Replacing a run ({@code --force}) moves the old run's files aside into {@value #REPLACED} and deletes them only
 * once the new run has written its config.json, so a replacement that fails to start puts the old run back.
 */
public final class RunFolder implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String LATEST = "latest.safetensors";
    public static final String BEST = "best.safetensors";
    public static final String EVAL_JSON = "eval.json";
    public static final String EVAL_CSV = "eval.csv";
    /** A run's own files: replacing a run replaces these and nothing else in its folder. */
    public static final List<String> RUN_FILES = List.of(CONFIG, METRICS, LATEST, BEST, EVAL_JSON, EVAL_CSV);
    /** Where a replaced run's files wait until the new run has started. */
    static final String REPLACED = ".replaced";
    /** Written by `lengthgen eval`, which reads a live run without its lock: its temporary files are its own. */
    private static final List<String> WRITTEN_UNLOCKED = List.of(EVAL_JSON, EVAL_CSV);
    /** Temporary files of earlier versions: the metrics rewrite and the write check. */
    private static final String LEGACY_TEMPORARY = "\\.(metrics|write-check)[0-9]+\\.tmp";

    public final Path dir;
    private final RunLock lock;
    /** The outermost folder this process created to hold the run, or null when the folder was there. */
    private final Path createdFolder;
    private final boolean createdLockFile;

    private RunFolder(Path dir, RunLock lock, Path createdFolder, boolean createdLockFile) {
        this.dir = dir;
        this.lock = lock;
        this.createdFolder = createdFolder;
        this.createdLockFile = createdLockFile;
    }

    /**
     * Checks, writing nothing, that a folder can take a new run: not a file, and empty unless {@code replace}. Run
     * before anything is computed; {@link #prepareNewRun} checks again under the lock.
     */
    public static void checkNewRun(Path dir, boolean replace) throws UsageException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException(dir + " is a file: give --out a folder for the run");
        }
        if (!replace && Files.isDirectory(dir) && !ownEntries(dir).isEmpty()) {
            throw new UsageException(dir + " already holds files: pass --force to replace that run, --resume " + dir
                    + " to continue it, or choose another --out");
        }
    }

    /** Checks that a folder holds a run (its config.json), for resuming or evaluating it. */
    public static void checkHasRun(Path dir) throws UsageException {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new UsageException(dir + " has no " + CONFIG + ": point --resume (or --run) at a folder written by "
                    + "'lengthgen train'");
        }
    }

    /**
     * Whether a folder holds a run, or the run a replacement killed before it started moved aside (which
     * {@link #recover} puts back): a read-only look before the folder is locked.
     */
    public static boolean mayHoldRun(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) || Files.isDirectory(dir.resolve(REPLACED));
    }

    /**
     * Takes the folder's lock for this process, creating the folder (and its parents) when missing. Nothing else is
     * written.
     *
     * @throws UsageException when the folder cannot be created or written, or another process writes the run (the
     *                        message names its pid)
     */
    public static RunFolder lock(Path dir) throws UsageException {
        Path created = null;
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            created = p;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("cannot create " + dir + " (" + FileWriteException.reason(e) + "): choose a "
                    + "folder you can write");
        }
        boolean lockFileExisted = Files.exists(dir.resolve(RunLock.FILE));
        try {
            return new RunFolder(dir, RunLock.acquire(dir), created, !lockFileExisted);
        } catch (IOException e) {
            throw new UsageException("cannot lock " + dir + " (" + FileWriteException.reason(e) + ")");
        }
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public boolean hasRun() {
        return Files.isRegularFile(file(CONFIG));
    }

    /**
     * Finishes what a process killed while replacing this run left: when the new run had started (its config.json is
     * there), the old files are deleted; otherwise they are put back.
     */
    public void recover() throws IOException {
        Path aside = file(REPLACED);
        if (!Files.isDirectory(aside)) {
            return;
        }
        if (!hasRun()) {
            try (Stream<Path> files = Files.list(aside)) {
                for (Path f : files.toList()) {
                    Path back = dir.resolve(f.getFileName().toString());
                    if (!Files.exists(back)) {
                        Files.move(f, back);
                    }
                }
            }
        }
        deleteTree(aside);
    }

    /**
     * Deletes the temporary files that a process killed while writing this run left (half-written checkpoints,
     * configs, results). Only the lock holder does this: no other process is writing them.
     */
    public void cleanTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                String owner = AtomicFile.temporaryOf(name);
                if ((owner != null && !WRITTEN_UNLOCKED.contains(owner)) || name.matches(LEGACY_TEMPORARY)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * Makes room for a new run, under the lock: a folder that holds files is refused unless {@code replace}; with it,
     * the old run's own files ({@link #RUN_FILES}) are moved aside until {@link #startNewRun}.
     */
    public void prepareNewRun(boolean replace) throws UsageException, IOException {
        checkNewRun(dir, replace);
        recover();
        cleanTemporaryFiles();
        if (!replace) {
            return;
        }
        Path aside = file(REPLACED);
        for (String name : RUN_FILES) {
            Path f = file(name);
            if (Files.exists(f)) {
                Files.createDirectories(aside);
                Files.move(f, aside.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Writes the new run's config.json; the run has started, and what it replaced is deleted. */
    public void startNewRun(String config) throws IOException {
        AtomicFile.write(file(CONFIG), config);
        deleteTree(file(REPLACED));
    }

    /**
     * Undoes what this process did to the folder after a refusal or a failure before the run started: a replaced run
     * is put back, and a folder (or lock file) this process created is removed when nothing else was put there.
     */
    public void abandon() {
        try {
            if (!hasRun()) {
                recover();
            }
            if (createdLockFile && ownEntries(dir).isEmpty()) {
                Files.deleteIfExists(file(RunLock.FILE));
            }
        } catch (IOException | UsageException ignored) {
            // best effort: the refusal the caller reports matters more
        }
        lock.close();
        if (createdFolder != null) {
            deleteEmptyFolders(dir, createdFolder);
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        lock.close();
    }

    /** The folder's entries other than the lock file. */
    private static List<Path> ownEntries(Path dir) throws UsageException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().equals(RunLock.FILE)).toList();
        } catch (IOException e) {
            throw new UsageException("cannot read " + dir + " (" + FileWriteException.reason(e) + ")");
        }
    }

    private static void deleteEmptyFolders(Path from, Path upTo) {
        Path top = upTo.toAbsolutePath();
        for (Path p = from.toAbsolutePath(); p != null && p.startsWith(top); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException notEmpty) {
                return;
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // what is left is inert: a later open of the folder deletes it again
        }
    }
}

package dev.lengthgen.runner.run;

import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder a training run writes: config.json (how it was started), metrics.jsonl (one JSON object per logged
 * step), latest.safetensors and best.safetensors (checkpoints), eval.json / eval.csv (results of `lengthgen eval`).
 */
public final class RunDirectory {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String LATEST = "latest.safetensors";
    public static final String BEST = "best.safetensors";
    private static final List<String> OWN_FILES = List.of(CONFIG, METRICS, LATEST, BEST, "eval.json", "eval.csv");

    public final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * A folder for a new run. An existing non-empty folder is refused unless force is set (then the previous run's
     * own files are removed, nothing else). Checks that the folder can be written before anything is computed.
     */
    public static RunDirectory createNew(Path dir, boolean force) throws UsageException {
        if (Files.isRegularFile(dir)) {
            throw new UsageException(dir + " is a file: give --out a folder for the run");
        }
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            if (!force) {
                throw new UsageException(dir + " already holds files: pass --force to replace that run, --resume "
                        + dir + " to continue it, or choose another --out");
            }
            for (String f : OWN_FILES) {
                try {
                    Files.deleteIfExists(dir.resolve(f));
                } catch (IOException e) {
                    throw new UsageException("cannot replace " + dir.resolve(f) + ": " + e.getMessage());
                }
            }
        }
        RunDirectory run = new RunDirectory(dir);
        run.checkWritable();
        return run;
    }

    /** The folder of a run that a caller manages itself (an experiment's run): created if missing, nothing checked. */
    public static RunDirectory createOrReuse(Path dir) throws UsageException {
        RunDirectory run = new RunDirectory(dir);
        run.checkWritable();
        return run;
    }

    /** An existing run to resume: it must have its config and a latest checkpoint. */
    public static RunDirectory existing(Path dir) throws UsageException {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new UsageException(dir + " has no " + CONFIG + ": point --resume (or --run) at a folder written by "
                    + "'lengthgen train'");
        }
        return new RunDirectory(dir);
    }

    private static boolean isEmpty(Path dir) throws UsageException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UsageException("cannot read " + dir + ": " + e.getMessage());
        }
    }

    private void checkWritable() throws UsageException {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new UsageException("cannot write to " + dir + " (" + e.getClass().getSimpleName() + "): choose a "
                    + "writable --out folder");
        }
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Writes a small text file atomically (temporary file, then rename). */
    public void writeAtomically(String name, String content) throws IOException {
        AtomicFile.write(file(name), content);
    }

    public String read(String name) throws IOException {
        return Files.readString(file(name), StandardCharsets.UTF_8);
    }
}

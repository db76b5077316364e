package dev.lengthgen.runner.run;

import dev.lengthgen.runner.cli.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a run continues, found and checked before a file is touched: its settings, its latest checkpoint (checked
 * against those settings, and holding the best score so far) and where its metrics log is cut.
 *
 * @param settings the run's settings as this invocation runs it (its budget and placement may be new)
 */
public record Resume(TrainSettings settings, RunCheckpoint latest, MetricsLog.Cut metrics) implements AutoCloseable {

    /**
     * The resume point of a run in a locked folder, or null when it has no latest checkpoint yet.
     *
     * @param fix what the user should do when the run's files are refused
     */
    public static Resume find(RunFolder folder, TrainSettings settings, String fix) throws UsageException {
        Path latest = folder.file(RunFolder.LATEST);
        if (!Files.isRegularFile(latest)) {
            return null;
        }
        RunCheckpoint ck = RunCheckpoint.open(latest, settings, true, fix);
        try {
            return new Resume(settings, ck, MetricsLog.plan(folder.file(RunFolder.METRICS), ck.step()));
        } catch (UsageException e) {
            ck.close();
            throw e;
        }
    }

    public int step() {
        return latest.step();
    }

    @Override
    public void close() {
        latest.close();
    }
}

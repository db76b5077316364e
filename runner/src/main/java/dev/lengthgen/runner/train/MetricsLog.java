package dev.lengthgen.runner.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** metrics.jsonl: one JSON object per logged step, appended and flushed as training goes. */
public final class MetricsLog implements AutoCloseable {
    private static final Gson GSON = new Gson();
    private final BufferedWriter out;

    private MetricsLog(BufferedWriter out) {
        this.out = out;
    }

    /**
     * Opens the log for appending. When resuming from a checkpoint at step {@code keepUpTo}, lines of later steps (logged
     * after that checkpoint by a run that was then stopped) are dropped first, so each step appears once.
     */
    public static MetricsLog open(Path file, int keepUpTo) throws IOException {
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                    if (o.has("step") && o.get("step").getAsInt() <= keepUpTo) {
                        kept.add(line);
                    }
                } catch (RuntimeException e) {
                    // A line cut short by a killed run: drop it.
                }
            }
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".metrics", ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    public void write(JsonObject record) throws IOException {
        out.write(GSON.toJson(record));
        out.newLine();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

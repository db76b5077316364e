package dev.lengthgen.runner.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.checkpoint.Checkpoint;
import dev.lengthgen.model.checkpoint.CheckpointException;
import dev.lengthgen.runner.Main;
import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.train.RunDirectory;
import dev.lengthgen.runner.train.TrainCommand;
import dev.lengthgen.runner.train.TrainSettings;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lengthgen eval}: evaluates a trained model on test lengths and prints the accuracy table (exact match,
 * accuracy against f^, the theory's prediction, per-place accuracy, ID / inward / outward), writing it as eval.csv
 * and eval.json beside the run.
 */
public final class EvalCommand implements Command {

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "evaluate a trained model per test length (exact, f^, per place, theory)";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Flags.valued("run", "DIR", "a run folder written by 'lengthgen train'"));
        o.addOption(Flags.valued("checkpoint", "FILE", "a checkpoint file (instead of --run)"));
        o.addOption(Flags.valued("which", "best|latest", "which checkpoint of --run (default best)"));
        o.addOption(Flags.valued("test-digits", "SPEC", "test lengths, e.g. 1-9 (default: the run's)"));
        o.addOption(Flags.valued("count", "N", "test problems per length (default 1000)"));
        o.addOption(Flags.valued("batch", "N", "sequences decoded together (default 256)"));
        o.addOption(Flags.valued("mistakes", "N", "also list the first N wrong answers per length (default 0)"));
        o.addOption(Flags.valued("out", "DIR", "where eval.csv and eval.json go (default: the run folder)"));
        o.addOption(Option.builder().longOpt("json").desc("print the results as JSON").build());
        BackendOptions.addTo(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        Path checkpointFile;
        Path outDir;
        if (line.hasOption("run") == line.hasOption("checkpoint")) {
            throw new UsageException("give exactly one of --run DIR or --checkpoint FILE");
        }
        if (line.hasOption("run")) {
            RunDirectory run = RunDirectory.existing(Path.of(line.getOptionValue("run")));
            String which = line.getOptionValue("which", "best");
            if (!which.equals("best") && !which.equals("latest")) {
                throw new UsageException("--which must be best or latest, got '" + which + "'");
            }
            checkpointFile = run.file(which.equals("best") ? RunDirectory.BEST : RunDirectory.LATEST);
            if (!Files.isRegularFile(checkpointFile)) {
                checkpointFile = run.file(RunDirectory.LATEST);
            }
            outDir = run.dir;
        } else {
            checkpointFile = Path.of(line.getOptionValue("checkpoint"));
            outDir = checkpointFile.toAbsolutePath().getParent();
        }
        if (line.hasOption("out")) {
            outDir = Path.of(line.getOptionValue("out"));
        }
        if (!Files.isRegularFile(checkpointFile)) {
            throw new UsageException(checkpointFile + " does not exist: train first, or name an existing checkpoint");
        }
        Checkpoint ck;
        try {
            ck = Checkpoint.open(checkpointFile);
        } catch (CheckpointException e) {
            throw new UsageException(e.getMessage());
        }
        TrainSettings settings = settingsOf(ck, checkpointFile);
        DigitSpec lengths = settings.test();
        if (line.hasOption("test-digits")) {
            try {
                lengths = DigitSpec.parse(line.getOptionValue("test-digits"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--test-digits: " + e.getMessage());
            }
        }
        if (lengths.max() > settings.format().width()) {
            throw new UsageException("--test-digits " + lengths + " exceeds the run's width W=" + settings.format().width()
                    + ": test at most " + settings.format().width() + " digits");
        }
        int longest = settings.codec().maxSequenceLength(lengths.max()) - 1;
        if (longest > ck.config().context()) {
            throw new UsageException(lengths.max() + "-digit tests need " + longest + " positions but the model has "
                    + ck.config().context() + ": test shorter lengths");
        }
        int count = Flags.intValue(line, "count", 1000, 1, 10_000_000);
        int batch = Flags.intValue(line, "batch", 256, 1, 1 << 16);
        int mistakes = Flags.intValue(line, "mistakes", 0, 0, 10_000_000);
        boolean json = line.hasOption("json");
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UsageException("cannot write to " + outDir + ": choose a writable --out");
        }
        try (Backend backend = BackendOptions.open(line, "auto")) {
            if (!json) {
                out.println("backend: " + backend.describe());
            }
            GptModel model = new GptModel(ck.config(), backend);
            ck.loadParameters(model);
            List<Evaluation.Row> rows = Evaluation.run(model, settings, lengths, count, batch, mistakes);
            JsonObject result = new JsonObject();
            result.addProperty("checkpoint", checkpointFile.toString());
            result.addProperty("step", ck.step());
            result.addProperty("task", settings.task().describe());
            result.addProperty("train_digits", settings.train().toString());
            JsonArray lengthsJson = ResultTable.json(rows);
            if (mistakes > 0) {
                for (int i = 0; i < rows.size(); i++) {
                    lengthsJson.get(i).getAsJsonObject().add("mistakes",
                            mistakesJson(rows.get(i).mistakes(), settings.codec()));
                }
            }
            result.add("lengths", lengthsJson);
            String jsonText = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(result);
            AtomicFile.write(outDir.resolve("eval.json"), jsonText);
            AtomicFile.write(outDir.resolve("eval.csv"), ResultTable.csv(rows));
            if (json) {
                out.println(jsonText);
            } else {
                out.printf("%s, trained on %s, step %d%n", settings.task().describe(), settings.train(), ck.step());
                out.print(ResultTable.human(rows));
                if (mistakes > 0) {
                    printMistakes(out, rows, mistakes, settings.codec());
                }
                out.println("wrote " + outDir.resolve("eval.csv") + " and eval.json");
            }
        }
        return Main.EXIT_OK;
    }

    /** Each mistake's operands as numbers, and the sequence, true answer and model's answer as written. */
    private static JsonArray mistakesJson(List<Evaluation.Mistake> mistakes, Codec codec) {
        JsonArray a = new JsonArray();
        for (Evaluation.Mistake m : mistakes) {
            JsonObject o = new JsonObject();
            o.addProperty("text", codec.text(m.problem()));
            o.addProperty("a", m.problem().a());
            o.addProperty("b", m.problem().b());
            o.addProperty("expected", m.expected());
            o.addProperty("answered", m.answered());
            a.add(o);
        }
        return a;
    }

    /**
     * One line per wrong answer: the problem as the model sees it, with the true answer, then the model's answer,
     * both written as in the sequence (a reversed answer reads units first; digits in the task's base).
     */
    private static void printMistakes(PrintStream out, List<Evaluation.Row> rows, int limit, Codec codec) {
        out.printf("first wrong answers per length (at most %d), as written in the sequence:%n", limit);
        for (Evaluation.Row row : rows) {
            if (row.mistakes().isEmpty()) {
                out.printf("%6d digits: none%n", row.result().digits());
            }
            for (Evaluation.Mistake m : row.mistakes()) {
                out.printf("%6d digits: %s  answered %s%n", row.result().digits(), codec.text(m.problem()),
                        m.answered().isEmpty() ? "(nothing)" : m.answered());
            }
        }
    }

    /** The run's settings, rebuilt from the flags stored in the checkpoint's metadata. */
    static TrainSettings settingsOf(Checkpoint ck, Path file) throws UsageException {
        String run = ck.metadata().get("lengthgen.run");
        if (run == null) {
            throw new UsageException(file + " carries no run description (lengthgen.run): it was not written by "
                    + "'lengthgen train'");
        }
        List<String> args = new ArrayList<>();
        try {
            JsonObject o = JsonParser.parseString(run).getAsJsonObject();
            o.getAsJsonArray("args").forEach(e -> args.add(e.getAsString()));
            return TrainCommand.settingsFromArgs(args);
        } catch (ParseException | RuntimeException e) {
            throw new UsageException(file + " has an unreadable run description: " + e.getMessage());
        }
    }
}

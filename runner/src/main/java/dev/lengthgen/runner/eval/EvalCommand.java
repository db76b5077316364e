package dev.lengthgen.runner.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.lengthgen.engine.Backend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.BackendOptions;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.evaluation.Evaluation;
import dev.lengthgen.runner.evaluation.ResultTable;
import dev.lengthgen.runner.run.RunCheckpoint;
import dev.lengthgen.runner.run.RunDescription;
import dev.lengthgen.runner.run.RunFolder;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.sampling.DigitSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code lengthgen eval}: evaluates a trained model on test lengths and prints the accuracy table (exact match,
 * accuracy against f^, the theory's prediction, per-place accuracy, ID / inward / outward), writing it as eval.csv
 * and eval.json beside the run.
 */
public final class EvalCommand implements Command {
    public static final String DEFAULT_WHICH = "best";
    public static final int DEFAULT_COUNT = 1000;
    public static final int DEFAULT_BATCH = 256;
    public static final int DEFAULT_MISTAKES = 0;

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
        o.addOption(Flags.valued("which", "best|latest", "which checkpoint of --run", DEFAULT_WHICH));
        o.addOption(Flags.valued("test-digits", "SPEC", "test lengths, e.g. 1-9 (default: the run's)"));
        o.addOption(Flags.valued("count", "N", "test problems per length", DEFAULT_COUNT));
        o.addOption(Flags.valued("batch", "N", "sequences decoded together", DEFAULT_BATCH));
        o.addOption(Flags.valued("mistakes", "N", "also list the first N wrong answers per length", DEFAULT_MISTAKES));
        o.addOption(Flags.valued("out", "DIR", "where eval.csv and eval.json go (default: the run folder)"));
        o.addOption(Option.builder().longOpt("json").desc("print the results as JSON").build());
        BackendOptions.addTo(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        if (line.hasOption("run") == line.hasOption("checkpoint")) {
            throw new UsageException("give exactly one of --run DIR or --checkpoint FILE");
        }
        Path checkpointFile;
        Path outDir;
        TrainSettings run = null;
        String fix;
        if (line.hasOption("run")) {
            Path dir = Flags.path(line, "run");
            RunFolder.checkHasRun(dir);
            String which = line.getOptionValue("which", DEFAULT_WHICH);
            if (!which.equals("best") && !which.equals("latest")) {
                throw new UsageException("--which must be best or latest, got '" + which + "'");
            }
            fix = "retrain the run, or evaluate another checkpoint with --checkpoint FILE";
            Path config = dir.resolve(RunFolder.CONFIG);
            run = RunDescription.read(JsonText.readObject(config, fix), config.toString(), fix).settings();
            checkpointFile = dir.resolve(which.equals("best") ? RunFolder.BEST : RunFolder.LATEST);
            if (!Files.isRegularFile(checkpointFile)) {
                checkpointFile = dir.resolve(RunFolder.LATEST);
            }
            outDir = dir;
        } else {
            checkpointFile = Flags.path(line, "checkpoint");
            outDir = checkpointFile.toAbsolutePath().getParent();
            fix = "give a checkpoint written by 'lengthgen train'";
        }
        if (line.hasOption("out")) {
            outDir = Flags.path(line, "out");
        }
        if (!Files.isRegularFile(checkpointFile)) {
            throw new UsageException(checkpointFile + " does not exist: train first, or name an existing checkpoint");
        }
        checkWritableFolder(outDir);
        try (RunCheckpoint ck = RunCheckpoint.open(checkpointFile, run, false, fix)) {
            return evaluate(line, ck, checkpointFile, outDir, out);
        }
    }

    /** Evaluates an opened checkpoint; every tensor is read through the file it opened. */
    private static int evaluate(CommandLine line, RunCheckpoint ck, Path checkpointFile, Path outDir,
                                PrintStream out) throws Exception {
        TrainSettings settings = ck.settings();
        DigitSpec lengths = settings.test();
        if (line.hasOption("test-digits")) {
            try {
                lengths = DigitSpec.parse(line.getOptionValue("test-digits"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--test-digits: " + e.getMessage());
            }
        }
        if (lengths.max() > settings.format().width()) {
            throw new UsageException("--test-digits " + lengths + " exceeds the run's width W="
                    + settings.format().width() + ": test at most " + settings.format().width() + " digits");
        }
        int longest = settings.codec().maxSequenceLength(lengths.max()) - 1;
        if (longest > ck.checkpoint().config().context()) {
            throw new UsageException(lengths.max() + "-digit tests need " + longest + " positions but the model has "
                    + ck.checkpoint().config().context() + ": test shorter lengths");
        }
        int count = Flags.intValue(line, "count", DEFAULT_COUNT, 1, 10_000_000);
        int batch = Flags.intValue(line, "batch", DEFAULT_BATCH, 1, 1 << 16);
        int mistakes = Flags.intValue(line, "mistakes", DEFAULT_MISTAKES, 0, 10_000_000);
        boolean json = line.hasOption("json");
        try (Backend backend = BackendOptions.open(line, BackendOptions.DEFAULT_BACKEND)) {
            GptModel model;
            try {
                model = new GptModel(ck.checkpoint().config(), backend);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (!json) {
                out.println("backend: " + backend.describe());
            }
            ck.checkpoint().loadParameters(model);
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
            try {
                Files.createDirectories(outDir);
            } catch (IOException e) {
                throw new FileWriteException(outDir, e);
            }
            AtomicFile.write(outDir.resolve(RunFolder.EVAL_JSON), jsonText);
            AtomicFile.write(outDir.resolve(RunFolder.EVAL_CSV), ResultTable.csv(rows));
            if (json) {
                out.println(jsonText);
            } else {
                out.printf("%s, trained on %s, step %d%n", settings.task().describe(), settings.train(), ck.step());
                out.print(ResultTable.human(rows));
                if (mistakes > 0) {
                    printMistakes(out, rows, mistakes, settings.codec());
                }
                out.println("wrote " + outDir.resolve(RunFolder.EVAL_CSV) + " and " + RunFolder.EVAL_JSON);
            }
        }
        return EXIT_OK;
    }

    /**
     * Checks, creating nothing, that the results can be written: the folder, or the nearest folder that exists on
     * the way to it, must be a folder we may write in.
     */
    private static void checkWritableFolder(Path dir) throws UsageException {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null || !Files.isDirectory(p)) {
            throw new UsageException("--out " + dir + ": " + p + " is not a folder: choose a folder for the results");
        }
        if (!Files.isWritable(p)) {
            throw new UsageException("cannot write in " + p + ": choose a writable --out");
        }
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
}

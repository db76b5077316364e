package dev.lengthgen.runner.bench;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.train.Batch;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.reproduce.Experiment;
import dev.lengthgen.runner.reproduce.ExperimentCatalog;
import dev.lengthgen.runner.reproduce.ExperimentOptions;
import dev.lengthgen.runner.reproduce.RunPlan;
import dev.lengthgen.runner.reproduce.Scale;
import dev.lengthgen.runner.run.RunFlags;
import dev.lengthgen.runner.run.TrainSettings;
import dev.lengthgen.runner.sequence.BatchBuilder;
import dev.lengthgen.tasks.sampling.Dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The shapes the named experiments train at tiny scale, exactly as {@code reproduce} trains them: each run's flags
 * from the catalog, parsed as {@code lengthgen train} parses them, and batches from the run's own data pipeline
 * (its dataset, length mix, random padding, position ids and loss mask). Runs of one experiment that train the same
 * model at the same (B, T) (seeds, moduli of one base) are one shape; its row names the run groups it stands for.
 */
final class ExperimentShapes {
    /** Distinct batches per shape; the timed steps cycle through them (the data does not change the work). */
    static final int BATCHES = 16;

    private ExperimentShapes() {
    }

    /** The experiments a --experiment value names: comma-separated names, or "all". */
    static List<String> names(String spec) throws UsageException {
        List<String> out = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String name = raw.trim();
            if (name.equals("all")) {
                ExperimentCatalog.ALL.forEach(e -> out.add(e.name()));
                continue;
            }
            try {
                out.add(ExperimentCatalog.named(name).name());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage() + ", or all");
            }
        }
        return out.stream().distinct().toList();
    }

    /** The distinct training shapes of an experiment at tiny scale, in the order its runs are planned. */
    static List<StepShape> of(String experiment) throws UsageException {
        Experiment e = ExperimentCatalog.named(experiment);
        List<RunPlan> plans = e.plan(new ExperimentOptions(Scale.TINY, 1, null, null, null, null, "cpu", null, 1));
        Map<Key, List<String>> groups = new LinkedHashMap<>();
        Map<Key, TrainSettings> settings = new LinkedHashMap<>();
        for (RunPlan p : plans) {
            TrainSettings s = settingsOf(p);
            Key k = new Key(s.model(), s.batch(), s.trainT());
            settings.putIfAbsent(k, s);
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(p.group());
        }
        List<StepShape> out = new ArrayList<>();
        for (Map.Entry<Key, TrainSettings> en : settings.entrySet()) {
            TrainSettings s = en.getValue();
            Dataset data = s.dataset();
            BatchBuilder builder = new BatchBuilder(s.codec(), s.trainT(), s.model().position(), s.seed(),
                    s.randomPadding());
            List<Batch> batches = new ArrayList<>();
            for (int i = 0; i < BATCHES; i++) {
                batches.add(builder.buildTraining(data.trainBatch(i, s.batch()), i));
            }
            String label = String.join(", ", groups.get(en.getKey()).stream().distinct().toList());
            out.add(new StepShape(experiment, label, s.model(), s.batch(), s.trainT(), s.format().width(), s.adamw(),
                    s.schedule().maxLr(), batches, s.seed()));
        }
        return out;
    }

    /** A plan's settings as reproduce parses them, on the cpu backend with one thread. */
    private static TrainSettings settingsOf(RunPlan p) throws UsageException {
        List<String> args = new ArrayList<>(p.trainArgs());
        args.addAll(List.of("--backend", "cpu", "--threads", "1"));
        try {
            return RunFlags.parse(args);
        } catch (UsageException e) {
            throw new IllegalStateException("experiment run " + p.id() + " has bad flags: " + e.getMessage(), e);
        }
    }

    /** What makes two runs the same shape to time: the model (position scheme included) and the batch shape. */
    private record Key(GptConfig model, int B, int T) {
        Key {
            Objects.requireNonNull(model);
        }
    }
}

package dev.lengthgen.runner.theory;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.TaskOptions;
import dev.lengthgen.runner.cli.TaskSetup;
import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.theory.PlacePrediction;
import dev.lengthgen.tasks.theory.Prediction;
import dev.lengthgen.tasks.theory.TruncationTheory;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * {@code lengthgen theory}: the accuracy per test length predicted for a model that learned the truncated function
 * f^ of its training length (docs/ARCHITECTURE.md, "The science"), with the method (exact count or seeded sample),
 * the exactly-zero threshold and the limit; for addition also the per-place prediction of an APE model.
 */
public final class TheoryCommand implements Command {
    @Override
    public String name() {
        return "theory";
    }

    @Override
    public String summary() {
        return "predicted accuracy per test length of a model that learned the truncated function f^";
    }

    @Override
    public Options options() {
        Options o = new Options();
        TaskOptions.addTo(o);
        o.addOption(Option.builder().longOpt("json").desc("one JSON object on standard output").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        TaskSetup setup = TaskOptions.parse(line);
        DigitSpec train = setup.requireTrain();
        DigitSpec test = setup.test();
        if (test == null) {
            test = DigitSpec.parse("1-" + Math.min(setup.format().width(), train.max() + 5));
        }
        ArithmeticTask task = setup.task();
        TruncationTheory theory = new TruncationTheory(task, train, setup.testSampler(), setup.seed());
        List<Prediction> predictions = new ArrayList<>();
        List<PlacePrediction> places = new ArrayList<>();
        for (int m : test.lengths()) {
            predictions.add(theory.predict(m));
            if (task.op() == Operation.ADD) {
                places.add(theory.perPlace(m));
            }
        }
        if (line.hasOption("json")) {
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
                    .toJson(json(setup, train, theory, predictions, places)));
        } else {
            table(setup, train, theory, predictions, places, out);
        }
        return 0;
    }

    private static JsonObject json(TaskSetup setup, DigitSpec train, TruncationTheory theory,
                                   List<Prediction> predictions, List<PlacePrediction> places) {
        ArithmeticTask task = setup.task();
        JsonObject root = new JsonObject();
        root.addProperty("task", task.op().cliName());
        root.addProperty("base", task.base());
        root.add("modulus", task.op().isModular() ? new JsonPrimitive(task.modulus()) : JsonNull.INSTANCE);
        root.addProperty("trainDigits", train.toString());
        root.addProperty("n", theory.trainDigits());
        root.addProperty("testSampler", setup.testSampler().cliName());
        if (task.op().isModular()) {
            root.addProperty("reducedModulus", theory.reducedModulus());
        }
        root.add("limit", number(theory.limit()));
        OptionalInt zero = theory.lastZeroLength();
        boolean everyOutward = zero.isPresent() && zero.getAsInt() == Integer.MAX_VALUE;
        root.addProperty("zeroAtEveryOutwardLength", everyOutward);
        root.add("lastZeroLength", zero.isPresent() && !everyOutward ? new JsonPrimitive(zero.getAsInt())
                : JsonNull.INSTANCE);
        JsonArray lengths = new JsonArray();
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            JsonObject o = new JsonObject();
            o.addProperty("digits", p.digits());
            o.addProperty("label", p.label().cliName());
            o.add("predicted", number(p.predicted()));
            o.addProperty("method", p.method().cliName());
            o.addProperty("agreeing", p.agreeing().toString());
            o.addProperty("total", p.total().toString());
            if (!places.isEmpty()) {
                JsonArray pp = new JsonArray();
                for (double v : places.get(i).perPlace()) {
                    pp.add(number(v));
                }
                o.add("perPlace", pp);
                o.addProperty("perPlaceMethod", places.get(i).method().cliName());
            }
            lengths.add(o);
        }
        root.add("lengths", lengths);
        return root;
    }

    private static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    private static void table(TaskSetup setup, DigitSpec train, TruncationTheory theory,
                              List<Prediction> predictions, List<PlacePrediction> places, PrintStream out) {
        ArithmeticTask task = setup.task();
        int n = theory.trainDigits();
        int base = task.base();
        out.printf(Locale.ROOT, "%s, trained on %s (n = %d), test pairs %s (generator %s)%n", task.describe(),
                train.lengths().size() == 1 ? n + " digits" : train + " digits", n,
                setup.testSampler().domain(0).replace("0", "m"), setup.testSampler().cliName());
        OptionalInt zero = theory.lastZeroLength();
        if (task.op().isModular()) {
            long pPrime = theory.reducedModulus();
            double limit = theory.limit();
            out.printf(Locale.ROOT, "p' = p / gcd(p, %d^%d) = %d; outward limit %s%n", base, n, pPrime,
                    Double.isNaN(limit) ? "not computed (p too large to count exactly)"
                            : String.format(Locale.ROOT, task.op() == Operation.MOD_ADD
                            ? "gcd(p, B^n)/p = %.6f" : "%.6f", limit));
            if (pPrime == 1) {
                out.println("p divides B^n: f^ = f, outward accuracy is predicted perfect");
            }
        }
        if (zero.isPresent() && zero.getAsInt() == Integer.MAX_VALUE) {
            out.println("f^ differs from f whenever a high part is nonzero: exact match predicted 0 at every outward"
                    + " length");
        } else if (zero.isPresent() && zero.getAsInt() > n) {
            out.printf(Locale.ROOT, "predicted exactly 0 for outward lengths %d..%d%s%n", n + 1, zero.getAsInt(),
                    task.op() == Operation.MOD_ADD ? " (m < n + log_B(p'/2 + 1))" : "");
        } else if (zero.isPresent() && theory.reducedModulus() != 1) {
            out.println("predicted above 0 from the first outward length on");
        }
        out.println();
        out.printf(Locale.ROOT, "%6s  %-8s %10s  %s%n", "digits", "label", "predicted",
                places.isEmpty() ? "method" : "method   per place (units first)");
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d  %-8s %10.6f  %s", p.digits(),
                    p.label().cliName(), p.predicted(), p.method().cliName()));
            if (!places.isEmpty()) {
                row.append(" ".repeat(8 - p.method().cliName().length()));
                for (double v : places.get(i).perPlace()) {
                    row.append(String.format(Locale.ROOT, " %.2f", v));
                }
            }
            out.println(row);
        }
    }
}

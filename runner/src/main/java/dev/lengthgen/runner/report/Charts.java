package dev.lengthgen.runner.report;

import dev.lengthgen.runner.cli.AtomicFile;
import dev.lengthgen.runner.cli.JsonText;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Draws the report's charts into DIR/charts/ as PNG: exact match by test length for all groups, and per group the
 * per-place heat map, the training curves and exact match per test length during training.
 *
 * <p>Charts need AWT and fonts; a server without fonts can fail inside the JDK. All charts are rendered in memory
 * first, and a failure there becomes one warning while the tables are written as usual. Only then are the files
 * written, so a failure never leaves half the charts of a new report beside those of an old one.
 */
public final class Charts {
    public static final String FOLDER = "charts";

    /**
     * A chart of the report.
     *
     * @param path    relative to the experiment folder, with '/' (as HTML and Markdown link it)
     * @param caption one sentence on how to read it
     */
    public record ChartFile(String path, String title, String caption) {
    }

    /**
     * What {@link #draw} produced.
     *
     * @param charts  the files written, in reading order
     * @param warning one line when charts could not be drawn; null when all went well
     */
    public record Drawn(List<ChartFile> charts, String warning) {
    }

    private record Rendered(ChartFile file, byte[] png) {
    }

    /**
     * Turns a chart into PNG bytes: {@link ChartStyle#png}, or in tests one that fails as a server without fonts does.
     */
    interface Renderer {
        byte[] png(JFreeChart chart) throws IOException;
    }

    private Charts() {
    }

    static Drawn draw(Path dir, String experiment, List<GroupSummary> groups, Renderer renderer) throws IOException {
        System.setProperty("java.awt.headless", "true"); // before any AWT class loads: servers have no display
        List<Rendered> rendered = new ArrayList<>();
        try {
            add(rendered, renderer, AccuracyChart.draw(experiment, groups), "accuracy.png",
                    "Exact match by test length", "Mean over seeds per group, the min–max range over seeds as a "
                            + "band; dashed: the theory's prediction; shaded: the trained lengths.");
            Set<String> used = new HashSet<>();
            for (GroupSummary g : groups) {
                String slug = uniqueSlug(g.name(), used);
                TrainingCurves curves = TrainingCurves.of(g);
                add(rendered, renderer, PerPlaceHeatMap.draw(g), "per-place-" + slug + ".png",
                        g.name() + ": per-place accuracy",
                        "Accuracy of each answer place (1 = units) by test length, mean over finished seeds.");
                add(rendered, renderer, TrainingChart.draw(g, curves), "training-" + slug + ".png",
                        g.name() + ": training",
                        "Training and validation loss (left) and in-distribution exact match (right) by step.");
                add(rendered, renderer, AccuracyByStepChart.draw(g, curves), "accuracy-by-step-" + slug + ".png",
                        g.name() + ": exact match per test length during training",
                        "Exact match on each test length's evaluation sample as training goes; dashed: outward "
                                + "lengths.");
            }
        } catch (Exception | LinkageError | InternalError e) {
            // Font and display problems surface as any of these, deep inside AWT.
            return new Drawn(List.of(), "charts not drawn (" + JsonText.firstLine(e.toString()) + "): the tables "
                    + "are complete; install fonts (e.g. fontconfig with DejaVu) to get the charts");
        }
        List<ChartFile> written = new ArrayList<>();
        if (!rendered.isEmpty()) {
            Files.createDirectories(dir.resolve(FOLDER));
        }
        for (Rendered r : rendered) {
            AtomicFile.write(dir.resolve(r.file().path()), r.png());
            written.add(r.file());
        }
        return new Drawn(List.copyOf(written), null);
    }

    private static void add(List<Rendered> out, Renderer renderer, JFreeChart chart, String name, String title,
                            String caption) throws IOException {
        if (chart != null) {
            out.add(new Rendered(new ChartFile(FOLDER + "/" + name, title, caption), renderer.png(chart)));
        }
    }

    /** " (mean of 3 seeds)", " (1 seed)", with ", unfinished" while the runs are still going. */
    static String seedsNote(TrainingCurves curves) {
        String seeds = curves.seeds() == 1 ? "1 seed" : "mean of " + curves.seeds() + " seeds";
        return " (" + seeds + (curves.inProgress() ? ", unfinished" : "") + ")";
    }

    /** A file-name part for a group label: "p=100" becomes "p-100"; distinct groups get distinct names. */
    static String uniqueSlug(String group, Set<String> used) {
        String slug = group.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.isEmpty()) {
            slug = "group";
        }
        String candidate = slug;
        for (int i = 2; !used.add(candidate); i++) {
            candidate = slug + "-" + i;
        }
        return candidate;
    }
}

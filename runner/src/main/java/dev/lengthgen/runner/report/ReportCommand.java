package dev.lengthgen.runner.report;

import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.UsageException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code lengthgen report DIR [--json]}: writes the report of an experiment folder (report.md, report.html,
 * table.csv, summary.json, charts/) and prints the tables, or with --json the content of summary.json.
 */
public final class ReportCommand implements Command {

    @Override
    public String name() {
        return "report";
    }

    @Override
    public String arguments() {
        return "DIR";
    }

    @Override
    public String summary() {
        return "write the report of experiment folder DIR: tables, charts, report.html, summary.json";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("print summary.json instead of the tables").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        List<String> args = line.getArgList();
        if (args.isEmpty()) {
            throw new UsageException("give the experiment folder: lengthgen report DIR (the folder 'lengthgen "
                    + "reproduce' wrote)");
        }
        if (args.size() > 1) {
            throw new UsageException("one experiment folder at a time, got " + args.size() + ": lengthgen report DIR");
        }
        ExperimentReport.Written w = ExperimentReport.write(Flags.path(args.get(0), "DIR"));
        if (line.hasOption("json")) {
            out.print(w.summaryJson()); // the warnings are in it
            return EXIT_OK;
        }
        out.print(w.text());
        for (String warning : w.warnings()) {
            out.println("warning: " + warning);
        }
        out.println("report: " + w.html() + " (also " + w.markdown().getFileName() + ", " + w.csv().getFileName()
                + ", " + w.summary().getFileName() + (w.charts().isEmpty() ? "" : ", " + w.charts().size()
                + " charts in " + Charts.FOLDER + "/") + ")");
        return EXIT_OK;
    }
}

package dev.lengthgen.runner;

import dev.lengthgen.runner.bench.BenchCommand;
import dev.lengthgen.runner.cli.Command;
import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.JsonText;
import dev.lengthgen.runner.cli.UsageException;
import dev.lengthgen.runner.data.DataCommand;
import dev.lengthgen.runner.devices.DevicesCommand;
import dev.lengthgen.runner.eval.EvalCommand;
import dev.lengthgen.runner.profile.ProfileCommand;
import dev.lengthgen.runner.report.ReportCommand;
import dev.lengthgen.runner.reproduce.ReproduceCommand;
import dev.lengthgen.runner.train.TrainCommand;
import dev.lengthgen.runner.theory.TheoryCommand;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The lengthgen command line: {@code lengthgen COMMAND [flags]}. */
public final class Main {

    private Main() {
    }

    /** Every command, in the order the help lists them. */
    static List<Command> commands() {
        return List.of(new TrainCommand(), new EvalCommand(), new DataCommand(), new TheoryCommand(),
                new ReproduceCommand(), new ReportCommand(), new BenchCommand(), new ProfileCommand(),
                new DevicesCommand());
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one invocation and returns its exit code; never calls System.exit (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command c : commands()) {
            byName.put(c.name(), c);
        }
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            printOverview(byName, args.length == 0 ? err : out);
            return args.length == 0 ? Command.EXIT_USAGE : Command.EXIT_OK;
        }
        Command command = byName.get(args[0]);
        if (command == null) {
            err.println("lengthgen: unknown command '" + args[0] + "': run 'lengthgen --help' for the list");
            return Command.EXIT_USAGE;
        }
        Options options = command.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            CommandLine line = Flags.parser().parse(options, rest);
            if (line.hasOption("help")) {
                printHelp(command, options, out);
                return Command.EXIT_OK;
            }
            for (Option given : line.getOptions()) {
                String[] values = given.hasArg() ? line.getOptionValues(given.getLongOpt()) : null;
                // null: an optional value left out; an option of several values (hasArgs) may be given again
                if (values != null && values.length > 1 && given.getArgs() == 1) {
                    throw new UsageException("--" + given.getLongOpt() + " is given more than once: keep one");
                }
            }
            if (!line.getArgList().isEmpty() && command.arguments().isEmpty()) {
                throw new UsageException("unexpected argument '" + line.getArgList().get(0)
                        + "': run 'lengthgen " + command.name() + " --help'");
            }
            return command.run(line, out);
        } catch (ParseException e) {
            err.println("lengthgen " + command.name() + ": " + e.getMessage()
                    + ": run 'lengthgen " + command.name() + " --help'");
            return Command.EXIT_USAGE;
        } catch (UsageException e) {
            err.println("lengthgen " + command.name() + ": " + e.getMessage());
            return Command.EXIT_USAGE;
        } catch (IOException | UncheckedIOException e) {
            // A file that could not be written or read (a full disk, a read-only folder): the message names it.
            Throwable io = e instanceof UncheckedIOException u ? u.getCause() : e;
            err.println("lengthgen " + command.name() + ": " + JsonText.firstLine(String.valueOf(io.getMessage())));
            return Command.EXIT_FAILURE;
        } catch (Exception e) {
            err.println("lengthgen " + command.name() + ": failed: " + e);
            e.printStackTrace(err);
            return Command.EXIT_FAILURE;
        }
    }

    private static void printOverview(Map<String, Command> commands, PrintStream out) {
        out.println("usage: lengthgen COMMAND [flags]   (lengthgen COMMAND --help for its flags)");
        out.println();
        for (Command c : commands.values()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }

    private static void printHelp(Command command, Options options, PrintStream out) {
        PrintWriter w = new PrintWriter(out);
        String positional = command.arguments().isEmpty() ? "" : " " + command.arguments();
        new HelpFormatter().printHelp(w, 110, "lengthgen " + command.name() + positional + " [flags]",
                command.summary(), options, 2, 3, "", true);
        w.flush();
    }
}

package dev.lengthgen.runner.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/** One subcommand of the lengthgen program. */
public interface Command {
    /** The word after "lengthgen", e.g. "train". */
    String name();

    /** One line for the command list. */
    String summary();

    /** The command's flags; --help is added by Main. */
    Options options();

    /**
     * Runs the command. Bad input throws {@link UsageException} before anything is written.
     *
     * @return the process exit code (0 on success)
     */
    int run(CommandLine line, PrintStream out) throws Exception;
}

package dev.lengthgen.runner.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/**
 * One subcommand of the lengthgen program, and the exit codes every command returns. A command returns its code
 * instead of exiting, so that tests and other callers run it in-process.
 */
public interface Command {
    /** Success. */
    int EXIT_OK = 0;
    /** The work failed (a run diverged, a file could not be written); the message says what happened. */
    int EXIT_FAILURE = 1;
    /** Bad input (a flag, a config, a data file, a checkpoint): one line says what to do; nothing was written. */
    int EXIT_USAGE = 2;
    /**
     * Stopped on request (a signal) with its state saved: running the same command again continues it. 75 is
     * sysexits.h's EX_TEMPFAIL, "try again later".
     */
    int EXIT_STOPPED = 75;

    /** The word after "lengthgen", e.g. "train". */
    String name();

    /** One line for the command list. */
    String summary();

    /**
     * The positional arguments as the help's usage line writes them, e.g. "NAME" or "DIR"; empty for a command that
     * takes none (then any positional argument is refused).
     */
    default String arguments() {
        return "";
    }

    /** The command's flags; --help is added by the program. */
    Options options();

    /**
     * Runs the command. Bad input throws {@link UsageException} before anything is written.
     *
     * @return the process exit code ({@link #EXIT_OK} on success)
     */
    int run(CommandLine line, PrintStream out) throws Exception;
}

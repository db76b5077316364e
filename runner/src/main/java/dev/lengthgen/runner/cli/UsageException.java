package dev.lengthgen.runner.cli;

/**
 * Bad input from the user (a flag, a config, a data file, a checkpoint). The message is one line that says what to
 * do; the program prints it and exits with code 2, having written nothing.
 */
public class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}

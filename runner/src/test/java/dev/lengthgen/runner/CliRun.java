package dev.lengthgen.runner;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in-process as a user would, capturing exit code, standard output and standard error. */
public record CliRun(int code, String out, String err) {

    public static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Bad input: exit code 2, nothing on standard output, one line on standard error that mentions expected. */
    public static void assertUsage(String expected, String... args) {
        CliRun r = of(args);
        assertEquals(2, r.code(), "exit code of " + String.join(" ", args) + ": " + r.err());
        assertEquals("", r.out(), "nothing on standard output");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("lengthgen " + args[0] + ": "), err);
        assertTrue(err.contains(expected), "'" + err + "' should mention '" + expected + "'");
    }
}

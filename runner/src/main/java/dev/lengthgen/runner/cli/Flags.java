package dev.lengthgen.runner.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.CommandLineParser;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;

import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Typed reads of flag values that turn a malformed value into a one-line {@link UsageException}. */
public final class Flags {
    private Flags() {
    }

    /**
     * The parser of every command line, and of every run's stored or generated flags. Flags must be spelled in full:
     * a stored run replays its flags, and a prefix that is unambiguous today ({@code --ste} for --steps) becomes
     * ambiguous, or means another flag, when a flag is added.
     */
    public static CommandLineParser parser() {
        return DefaultParser.builder().setAllowPartialMatching(false).build();
    }

    public static int intValue(CommandLine line, String flag, int fallback, int min, int max) throws UsageException {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        String raw = line.getOptionValue(flag);
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < min || v > max) {
                throw new UsageException("--" + flag + " must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " needs a whole number, got '" + raw + "'");
        }
    }

    public static long longValue(CommandLine line, String flag, long fallback) throws UsageException {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        String raw = line.getOptionValue(flag);
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " needs a whole number, got '" + raw + "'");
        }
    }

    public static float floatValue(CommandLine line, String flag, float fallback, float min, float max)
            throws UsageException {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        String raw = line.getOptionValue(flag);
        try {
            float v = Float.parseFloat(raw.trim());
            if (!(v >= min && v <= max)) {
                throw new UsageException("--" + flag + " must be between " + min + " and " + max + ", got " + raw);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " needs a number, got '" + raw + "'");
        }
    }

    /** The path a flag names; an empty or blank value (which would mean the current folder) is refused. */
    public static Path path(CommandLine line, String flag) throws UsageException {
        return path(line.getOptionValue(flag), "--" + flag);
    }

    /** A path given on the command line ({@code what} names where: a flag, or "DIR"), checked as {@link #path}. */
    public static Path path(String value, String what) throws UsageException {
        if (value == null || value.isBlank()) {
            throw new UsageException(what + " needs a path, got '" + (value == null ? "" : value) + "': name a file or"
                    + " folder (use . for the current folder)");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException(what + " " + value + " is not a valid path (" + e.getReason() + ")");
        }
    }

    /** A flag that takes a value: {@code --name ARG}, with its help text. */
    public static Option valued(String name, String argName, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(argName).desc(desc).build();
    }

    /** As {@link #valued(String, String, String)}, with the default the parser falls back to named in the help. */
    public static Option valued(String name, String argName, String desc, Object fallback) {
        return valued(name, argName, desc + " (default " + text(fallback) + ")");
    }

    /** A default as the help writes it: 0.001 rather than 0.0010 or 1.0E-3. */
    private static String text(Object value) {
        if (value instanceof Float || value instanceof Double) {
            return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(value);
    }
}

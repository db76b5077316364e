package dev.lengthgen.runner.cli;

import org.apache.commons.cli.CommandLine;

/** Typed reads of flag values that turn a malformed value into a one-line {@link UsageException}. */
public final class Flags {
    private Flags() {
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

    /** A flag that takes a value: {@code --name ARG}, with its help text. */
    public static org.apache.commons.cli.Option valued(String name, String argName, String desc) {
        return org.apache.commons.cli.Option.builder().longOpt(name).hasArg().argName(argName).desc(desc).build();
    }
}

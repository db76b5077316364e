package dev.lengthgen.runner.slurm;

import dev.lengthgen.runner.cli.Flags;
import dev.lengthgen.runner.cli.UsageException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a submission asks of Slurm for each array task: where it runs and with what. Each becomes one line
 * {@code #SBATCH --flag=value} of the job script; null (or empty) leaves it to the cluster's defaults.
 *
 * @param partition   --partition, also the report job's
 * @param time        --time of each array task, as given (the report job gets the partition's default)
 * @param gres        --gres, e.g. gpu:1
 * @param cpusPerTask --cpus-per-task
 * @param mem         --mem, e.g. 16G
 * @param account     --account, also the report job's
 * @param maxParallel the array's %K: at most this many tasks at once
 * @param extra       further sbatch options, one #SBATCH line each
 */
public record SlurmOptions(String partition, String time, String gres, Integer cpusPerTask, String mem,
                           String account, Integer maxParallel, List<String> extra) {
    /**
     * The time-limit warning: Slurm sends the job script SIGUSR1 this many seconds before the limit (up to 30 s
     * earlier: slurmctld checks limits every 30 s), and the run checkpoints and requeues itself. A step and a
     * checkpoint take seconds; the rest is margin for a slow shared file system.
     */
    public static final int WARNING_S = 120;
    /** The least --time accepted: the warning must leave the task time to train first. */
    public static final int MIN_TIME_S = 300;
    /** The flags, as the command line spells them (all but --dry-run, which says how, not what, to submit). */
    public static final List<String> FLAGS = List.of("partition", "time", "gres", "cpus-per-task", "mem", "account",
            "max-parallel", "slurm-arg");
    /** Options the job script sets itself, or that have a flag of their own: refused in --slurm-arg. */
    private static final List<String> RESERVED = List.of("--array", "-a", "--output", "-o", "--error", "-e",
            "--open-mode", "--requeue", "--no-requeue", "--signal", "--dependency", "-d", "--parsable", "--wrap",
            "--test-only", "--partition", "-p", "--time", "-t", "--gres", "--cpus-per-task", "-c", "--mem",
            "--account", "-A");
    /** A value that goes into an #SBATCH line as it is: no spaces or characters a shell or Slurm would read. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._,:=+/@-]+");
    private static final Pattern TIME = Pattern.compile(
            "(?:(\\d+)-)?(\\d+)(?::(\\d+))?(?::(\\d+))?");
    private static final Pattern MEMORY = Pattern.compile("[0-9]+[KMGTkmgt]?");

    public static void addTo(Options o) {
        o.addOption(Flags.valued("partition", "P", "--slurm: the partition of the array and the report job"));
        o.addOption(Flags.valued("time", "HH:MM:SS", "--slurm: time limit of each array task (also D-HH:MM:SS);"
                + " a run stopped by it checkpoints and requeues itself"));
        o.addOption(Flags.valued("gres", "SPEC", "--slurm: generic resources of each array task, e.g. gpu:1"));
        o.addOption(Flags.valued("cpus-per-task", "N", "--slurm: CPUs of each array task (the cpu backend uses them"
                + " all)"));
        o.addOption(Flags.valued("mem", "M", "--slurm: memory of each array task, e.g. 16G"));
        o.addOption(Flags.valued("account", "A", "--slurm: the account charged"));
        o.addOption(Flags.valued("max-parallel", "K", "--slurm: at most K array tasks at once"));
        o.addOption(Option.builder().longOpt("slurm-arg").hasArgs().argName("ARG")
                .desc("--slurm: more sbatch options for the array, e.g. --slurm-arg=--qos=long (may be repeated)")
                .build());
    }

    /** The options given, checked; a malformed one is a usage error naming its flag. */
    public static SlurmOptions parse(CommandLine line) throws UsageException {
        String time = null;
        if (line.hasOption("time")) {
            time = line.getOptionValue("time").trim();
            long seconds = seconds(time);
            if (seconds < MIN_TIME_S) {
                throw new UsageException("--time " + time + " leaves a run no time: Slurm warns " + WARNING_S + "-"
                        + (WARNING_S + 30) + " s before the limit and the run then checkpoints and requeues itself;"
                        + " give at least " + clock(MIN_TIME_S));
            }
        }
        String mem = plain(line, "mem", "e.g. 16G");
        if (mem != null && !MEMORY.matcher(mem).matches()) {
            throw new UsageException("--mem takes a size in megabytes or with a unit (e.g. 16000 or 16G), got '"
                    + mem + "'");
        }
        List<String> extra = new ArrayList<>();
        String[] given = line.getOptionValues("slurm-arg");
        if (given != null) {
            for (String a : given) {
                extra.add(extra(a));
            }
        }
        return new SlurmOptions(plain(line, "partition", "e.g. gpu"), time, plain(line, "gres", "e.g. gpu:1"),
                line.hasOption("cpus-per-task") ? Flags.intValue(line, "cpus-per-task", 1, 1, 4096) : null, mem,
                plain(line, "account", "e.g. myproject"),
                line.hasOption("max-parallel") ? Flags.intValue(line, "max-parallel", 1, 1, 100_000) : null, extra);
    }

    /** The #SBATCH lines of the array's script, without the array and what the script sets for every task. */
    public List<String> arrayDirectives() {
        List<String> lines = new ArrayList<>(reportDirectives());
        if (time != null) {
            lines.add("--time=" + time);
        }
        if (gres != null) {
            lines.add("--gres=" + gres);
        }
        if (cpusPerTask != null) {
            lines.add("--cpus-per-task=" + cpusPerTask);
        }
        if (mem != null) {
            lines.add("--mem=" + mem);
        }
        lines.addAll(extra);
        return lines;
    }

    /** The #SBATCH lines of the report job: where it runs and who pays; it needs no GPU and little time. */
    public List<String> reportDirectives() {
        List<String> lines = new ArrayList<>();
        if (partition != null) {
            lines.add("--partition=" + partition);
        }
        if (account != null) {
            lines.add("--account=" + account);
        }
        return lines;
    }

    /** Slurm's time formats (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS) in seconds. */
    static long seconds(String time) throws UsageException {
        Matcher m = TIME.matcher(time);
        if (!m.matches()) {
            throw new UsageException("--time takes HH:MM:SS (or D-HH:MM:SS, as sbatch does), got '" + time + "'");
        }
        try {
            long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
            long a = Long.parseLong(m.group(2));
            Long b = m.group(3) == null ? null : Long.parseLong(m.group(3));
            Long c = m.group(4) == null ? null : Long.parseLong(m.group(4));
            if (days > 365 || a > 100_000 || (b != null && b > 59) || (c != null && c > 59)) {
                throw new NumberFormatException();
            }
            if (m.group(1) != null) { // D-H, D-H:M, D-H:M:S
                return days * 86400 + a * 3600 + (b == null ? 0 : b * 60) + (c == null ? 0 : c);
            }
            if (c != null) { // H:M:S
                return a * 3600 + b * 60 + c;
            }
            return b != null ? a * 60 + b : a * 60; // M:S, or M
        } catch (NumberFormatException e) {
            throw new UsageException("--time takes HH:MM:SS with minutes and seconds below 60 (or D-HH:MM:SS), got '"
                    + time + "'");
        }
    }

    private static String clock(long seconds) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    private static String plain(CommandLine line, String flag, String example) throws UsageException {
        if (!line.hasOption(flag)) {
            return null;
        }
        String v = line.getOptionValue(flag).trim();
        if (!PLAIN.matcher(v).matches()) {
            throw new UsageException("--" + flag + " takes a Slurm name without spaces or quotes (" + example
                    + "), got '" + v + "'");
        }
        return v;
    }

    private static String extra(String arg) throws UsageException {
        String a = arg.trim();
        if (!a.startsWith("-") || a.equals("-") || a.equals("--")) {
            throw new UsageException("--slurm-arg takes sbatch options, each one word with its value after '=' "
                    + "(--slurm-arg=--qos=long), got '" + a + "'; an experiment's name goes before the flags");
        }
        if (!PLAIN.matcher(a).matches()) {
            throw new UsageException("--slurm-arg " + a + ": each goes into an #SBATCH line as it is, so it takes no"
                    + " spaces or quotes; give --name=value (e.g. --slurm-arg=--constraint=a100)");
        }
        String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        boolean shortWithValue = !a.startsWith("--") && a.length() > 2; // -pgpu
        String taken = RESERVED.contains(name) ? name : shortWithValue && RESERVED.contains(a.substring(0, 2))
                ? a.substring(0, 2) : null;
        if (taken != null) {
            throw new UsageException("--slurm-arg " + a + ": lengthgen sets " + taken + " itself (or has a flag for"
                    + " it: --partition, --time, --gres, --cpus-per-task, --mem, --account, --max-parallel); use"
                    + " that instead");
        }
        return a;
    }
}

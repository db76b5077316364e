package dev.lengthgen.tasks;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The four arithmetic operations of the paper. The modular ones need a modulus (see {@link ArithmeticTask}). */
public enum Operation {
    ADD("add"),
    MUL("mul"),
    MOD_ADD("mod-add"),
    MOD_MUL("mod-mul");

    private final String cliName;

    Operation(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in result files: "add", "mul", "mod-add", "mod-mul". */
    public String cliName() {
        return cliName;
    }

    /** True for MOD_ADD and MOD_MUL. */
    public boolean isModular() {
        return this == MOD_ADD || this == MOD_MUL;
    }

    /** True for ADD and MOD_ADD (the operations whose truncation theory is about sums). */
    public boolean isAdditive() {
        return this == ADD || this == MOD_ADD;
    }

    /**
     * Parses a command-line name ("add", "mod-mul"; case and '_' versus '-' do not matter).
     *
     * @throws IllegalArgumentException naming the accepted names
     */
    public static Operation parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Operation op : values()) {
            if (op.cliName.equals(n)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown task '" + name + "': use one of "
                + Arrays.stream(values()).map(Operation::cliName).collect(Collectors.joining(", ")));
    }
}

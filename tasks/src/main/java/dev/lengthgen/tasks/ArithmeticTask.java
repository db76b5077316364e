package dev.lengthgen.tasks;

import java.math.BigInteger;

/**
 * One arithmetic task: an operation, a base (2..16) and, for the modular operations, a modulus p >= 2.
 *
 * @param op      the operation
 * @param base    the number base, 2 to 16 (digits 0-9a-f)
 * @param modulus p for MOD_ADD and MOD_MUL; 0 for ADD and MUL
 */
public record ArithmeticTask(Operation op, int base, long modulus) {

    public ArithmeticTask {
        if (op == null) {
            throw new IllegalArgumentException("no operation given");
        }
        Radix.check(base);
        if (op.isModular()) {
            if (modulus < 2) {
                throw new IllegalArgumentException(op.cliName() + " needs a modulus p >= 2 (got " + modulus + ")");
            }
        } else if (modulus != 0) {
            throw new IllegalArgumentException(op.cliName() + " takes no modulus (got " + modulus
                    + "): use mod-add or mod-mul for modular arithmetic");
        }
    }

    /** Base-10 task without modulus (ADD, MUL) or with one (MOD_ADD, MOD_MUL). */
    public static ArithmeticTask of(Operation op, long modulus) {
        return new ArithmeticTask(op, 10, op.isModular() ? modulus : 0);
    }

    /** The modulus as a BigInteger (null for ADD and MUL). */
    public BigInteger modulusBig() {
        return op.isModular() ? BigInteger.valueOf(modulus) : null;
    }

    /** The true answer f(a, b). */
    public BigInteger apply(BigInteger a, BigInteger b) {
        BigInteger c = op.isAdditive() ? a.add(b) : a.multiply(b);
        return op.isModular() ? c.mod(modulusBig()) : c;
    }

    /**
     * The truncated function f^ that an absolute-position model trained on n-digit numbers learns
     * (docs/ARCHITECTURE.md, "The science"):
     * both operands reduced mod B^n, then the operation, then mod p for the modular operations.
     */
    public BigInteger truncated(BigInteger a, BigInteger b, int n) {
        BigInteger m = Radix.pow(base, n);
        return apply(a.mod(m), b.mod(m));
    }

    /**
     * The answer f(a, b) for non-negative long operands, without BigInteger allocation.
     *
     * @throws ArithmeticException when the sum or product before any modulus overflows a long
     */
    public long apply(long a, long b) {
        long c = op.isAdditive() ? Math.addExact(a, b) : Math.multiplyExact(a, b);
        return op.isModular() ? Math.floorMod(c, modulus) : c;
    }

    /** The largest number of digits an answer can have when both operands have at most {@code digits} digits. */
    public int maxAnswerDigits(int digits) {
        BigInteger max = Radix.pow(base, digits).subtract(BigInteger.ONE);
        BigInteger raw = op.isAdditive() ? max.add(max) : max.multiply(max);
        int rawDigits = Radix.digitCount(raw, base);
        if (!op.isModular()) {
            return rawDigits;
        }
        return Math.min(rawDigits, Radix.digitCount(BigInteger.valueOf(modulus - 1), base));
    }

    /** "add", "mod-add p=101", with " base 16" when the base is not 10. */
    public String describe() {
        StringBuilder s = new StringBuilder(op.cliName());
        if (op.isModular()) {
            s.append(" p=").append(modulus);
        }
        if (base != 10) {
            s.append(" base ").append(base);
        }
        return s.toString();
    }
}

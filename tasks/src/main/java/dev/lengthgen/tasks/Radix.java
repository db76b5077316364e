package dev.lengthgen.tasks;

import java.math.BigInteger;

/**
 * Digit arithmetic in a base from 2 to 16: digit counts, powers and the digit characters 0-9a-f.
 *
 * <p>Convention used throughout lengthgen: 0 is a 1-digit number (it is written "0"), so the 1-digit numbers are
 * 0..B-1 and the n-digit numbers for n >= 2 are B^(n-1)..B^n-1.
 */
public final class Radix {
    public static final int MIN_BASE = 2;
    public static final int MAX_BASE = 16;
    private static final String DIGITS = "0123456789abcdef";

    private Radix() {
    }

    /** Throws IllegalArgumentException unless 2 <= base <= 16. */
    public static void check(int base) {
        if (base < MIN_BASE || base > MAX_BASE) {
            throw new IllegalArgumentException("base " + base + " is not supported: use a base from 2 to 16");
        }
    }

    /** The character of digit value d (0 <= d < 16): '0'-'9', 'a'-'f'. */
    public static char digitChar(int d) {
        return DIGITS.charAt(d);
    }

    /** The value of a digit character in the given base, or -1 when c is not a digit of that base. */
    public static int digitValue(char c, int base) {
        int d = DIGITS.indexOf(Character.toLowerCase(c));
        return d >= 0 && d < base ? d : -1;
    }

    /** base^n as a BigInteger. */
    public static BigInteger pow(int base, int n) {
        return BigInteger.valueOf(base).pow(n);
    }

    /** The number of digits of x >= 0 in the base (0 has 1 digit). */
    public static int digitCount(BigInteger x, int base) {
        if (x.signum() < 0) {
            throw new IllegalArgumentException("negative number " + x);
        }
        if (x.signum() == 0) {
            return 1;
        }
        int guess = Math.max(1, (int) Math.floor((x.bitLength() - 1) / (Math.log(base) / Math.log(2))));
        // The float estimate can be off by one either way; settle it exactly.
        while (guess > 1 && pow(base, guess - 1).compareTo(x) > 0) {
            guess--;
        }
        while (pow(base, guess).compareTo(x) <= 0) {
            guess++;
        }
        return guess;
    }

    /** The smallest number with exactly n digits: 0 for n = 1, B^(n-1) otherwise. */
    public static BigInteger smallest(int base, int n) {
        return n == 1 ? BigInteger.ZERO : pow(base, n - 1);
    }

    /** How many numbers have exactly n digits: B for n = 1, (B-1)*B^(n-1) otherwise. */
    public static BigInteger countWithDigits(int base, int n) {
        return pow(base, n).subtract(smallest(base, n));
    }

    /** x written in the base, most significant digit first, without leading zeros ("0" for 0). */
    public static String toString(BigInteger x, int base) {
        return x.toString(base);
    }

    /** True when every number below base^n fits in a long with room to add two of them. */
    public static boolean fitsLong(int base, int n) {
        return pow(base, n).bitLength() <= 61;
    }
}

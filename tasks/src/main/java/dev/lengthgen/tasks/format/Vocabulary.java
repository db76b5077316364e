package dev.lengthgen.tasks.format;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Radix;

/**
 * The token vocabulary: fixed per base so models of one base share it. Ids 0..B-1 are the digits (id = digit
 * value), then the operator, '=', ';', {@code <bos>}, {@code <eos>}, {@code <pad>}: B + 6 tokens (16 in base 10).
 * The operator's id is the same whatever symbol the format uses. Special tokens print as '^' (bos), '$' (eos) and
 * '_' (pad) in {@link #decode(int[])}.
 */
public final class Vocabulary {
    public static final char BOS_CHAR = '^';
    public static final char EOS_CHAR = '$';
    public static final char PAD_CHAR = '_';

    private final int base;
    private final char operator;

    private Vocabulary(int base, char operator) {
        this.base = base;
        this.operator = operator;
    }

    public static Vocabulary of(ArithmeticTask task, Format format) {
        return new Vocabulary(task.base(), format.operator());
    }

    public int size() {
        return base + 6;
    }

    public int base() {
        return base;
    }

    public int operatorId() {
        return base;
    }

    public int equalsId() {
        return base + 1;
    }

    public int separatorId() {
        return base + 2;
    }

    public int bos() {
        return base + 3;
    }

    public int eos() {
        return base + 4;
    }

    public int pad() {
        return base + 5;
    }

    /** True for the ids 0..B-1. */
    public boolean isDigit(int id) {
        return id >= 0 && id < base;
    }

    /**
     * The id of a character: a digit of the base, the operator, '=', ';', or '^' '$' '_' for bos, eos, pad.
     *
     * @throws IllegalArgumentException for any other character
     */
    public int id(char c) {
        int d = Radix.digitValue(c, base);
        if (d >= 0) {
            return d;
        }
        if (c == operator) {
            return operatorId();
        }
        switch (c) {
            case '=':
                return equalsId();
            case ';':
                return separatorId();
            case BOS_CHAR:
                return bos();
            case EOS_CHAR:
                return eos();
            case PAD_CHAR:
                return pad();
            default:
                throw new IllegalArgumentException("'" + c + "' is not in the vocabulary of base " + base
                        + " with operator '" + operator + "'");
        }
    }

    /** The character of an id (inverse of {@link #id(char)}). */
    public char symbol(int id) {
        if (isDigit(id)) {
            return Radix.digitChar(id);
        }
        if (id == operatorId()) {
            return operator;
        }
        if (id == equalsId()) {
            return '=';
        }
        if (id == separatorId()) {
            return ';';
        }
        if (id == bos()) {
            return BOS_CHAR;
        }
        if (id == eos()) {
            return EOS_CHAR;
        }
        if (id == pad()) {
            return PAD_CHAR;
        }
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + size() + ")");
    }

    /** The characters of the ids, one per id, special tokens as '^', '$', '_'. */
    public String decode(int[] ids) {
        StringBuilder s = new StringBuilder(ids.length);
        for (int id : ids) {
            s.append(symbol(id));
        }
        return s.toString();
    }

    /** The ids of the characters of s (inverse of {@link #decode(int[])}). */
    public int[] encode(String s) {
        int[] ids = new int[s.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = id(s.charAt(i));
        }
        return ids;
    }
}

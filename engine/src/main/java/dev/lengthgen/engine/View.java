package dev.lengthgen.engine;

/**
 * A contiguous range of elements inside one {@link Memory}: the tensor handle every op takes. Shapes are not stored
 * here; each op states the shapes it expects and checks the lengths it can.
 */
public record View(Memory memory, long offset, long length) {
    public View {
        if (offset < 0 || length < 0 || offset + length > memory.length()) {
            throw new IllegalArgumentException("view [" + offset + ", " + (offset + length) + ") outside "
                    + memory.label() + " of length " + memory.length());
        }
    }

    public DType type() {
        return memory.type();
    }

    /** A sub-range of this view. */
    public View slice(long from, long count) {
        if (from < 0 || count < 0 || from + count > length) {
            throw new IllegalArgumentException("slice [" + from + ", " + (from + count) + ") outside view of length "
                    + length);
        }
        return new View(memory, offset + from, count);
    }

    /** Fails unless the view holds at least {@code n} elements of type {@code t}; ops call this on their arguments. */
    public View require(DType t, long n, String what) {
        if (memory.type() != t) {
            throw new IllegalArgumentException(what + ": expected " + t + " but got " + memory.type());
        }
        if (length < n) {
            throw new IllegalArgumentException(what + ": needs " + n + " elements, view has " + length);
        }
        return this;
    }

    /**
     * {@link #require(DType, long, String)} for the argument named "op part" (e.g. "rotaryForward source"), with the
     * name put together only when the check fails: a check on every op call of a step allocates nothing.
     */
    public View require(DType t, long n, String op, String part) {
        if (memory.type() != t || length < n) {
            require(t, n, op + " " + part);
        }
        return this;
    }
}

package dev.lengthgen.tasks.sampling;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * A set of operand lengths (numbers of digits) with sampling weights, as written on the command line:
 * {@code 4}, {@code 4,5}, {@code 1-9}, {@code 1-3,5}, or weighted {@code 4:0.5,5:0.5}. Unweighted lengths are
 * equally likely; weights are normalized to sum to 1. Lengths are kept in ascending order.
 */
public final class DigitSpec {
    private final List<Integer> lengths;
    private final List<Double> weights;

    private DigitSpec(List<Integer> lengths, List<Double> weights) {
        this.lengths = List.copyOf(lengths);
        this.weights = List.copyOf(weights);
    }

    /** Equally weighted lengths. */
    public static DigitSpec of(int... lengths) {
        TreeMap<Integer, Double> m = new TreeMap<>();
        for (int n : lengths) {
            checkLength(n, String.valueOf(n));
            if (m.put(n, 1.0) != null) {
                throw new IllegalArgumentException("length " + n + " appears twice");
            }
        }
        return normalized(m);
    }

    /**
     * Parses a spec.
     *
     * @throws IllegalArgumentException saying what is wrong and showing the accepted forms
     */
    public static DigitSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw bad(spec, "it is empty");
        }
        TreeMap<Integer, Double> m = new TreeMap<>();
        int weighted = 0;
        String[] items = spec.trim().split(",", -1);
        for (String raw : items) {
            String item = raw.trim();
            if (item.isEmpty()) {
                throw bad(spec, "it has an empty item");
            }
            double w = 1.0;
            int colon = item.indexOf(':');
            if (colon >= 0) {
                weighted++;
                try {
                    w = Double.parseDouble(item.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw bad(spec, "'" + item.substring(colon + 1) + "' is not a weight");
                }
                if (!(w > 0) || Double.isInfinite(w)) {
                    throw bad(spec, "weights must be positive numbers");
                }
                item = item.substring(0, colon).trim();
                if (item.contains("-")) {
                    throw bad(spec, "a weight applies to one length, not a range");
                }
            }
            int dash = item.indexOf('-', 1);
            int lo;
            int hi;
            if (dash > 0) {
                lo = number(spec, item.substring(0, dash));
                hi = number(spec, item.substring(dash + 1));
                if (hi < lo) {
                    throw bad(spec, "range " + item + " is empty");
                }
            } else {
                lo = hi = number(spec, item);
            }
            for (int n = lo; n <= hi; n++) {
                checkLength(n, spec);
                if (m.put(n, w) != null) {
                    throw bad(spec, "length " + n + " appears twice");
                }
            }
        }
        if (weighted != 0 && weighted != items.length) {
            throw bad(spec, "give a weight to every length or to none");
        }
        return normalized(m);
    }

    private static DigitSpec normalized(TreeMap<Integer, Double> m) {
        double sum = 0;
        for (double w : m.values()) {
            sum += w;
        }
        List<Integer> ls = new ArrayList<>(m.keySet());
        List<Double> ws = new ArrayList<>();
        for (double w : m.values()) {
            ws.add(w / sum);
        }
        return new DigitSpec(ls, ws);
    }

    private static int number(String spec, String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw bad(spec, "'" + s.trim() + "' is not a number of digits");
        }
    }

    private static void checkLength(int n, String spec) {
        if (n < 1 || n > 1000) {
            throw bad(spec, "a length must be between 1 and 1000 digits");
        }
    }

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("bad digit spec '" + spec + "': " + why
                + " (use e.g. 4, 4,5, 1-9 or 4:0.5,5:0.5)");
    }

    /** The lengths, ascending. */
    public List<Integer> lengths() {
        return lengths;
    }

    /** The normalized weights, aligned with {@link #lengths()}. */
    public List<Double> weights() {
        return weights;
    }

    /** The weight of a length (0 when absent). */
    public double weight(int digits) {
        int i = lengths.indexOf(digits);
        return i < 0 ? 0 : weights.get(i);
    }

    public int min() {
        return lengths.get(0);
    }

    public int max() {
        return lengths.get(lengths.size() - 1);
    }

    public boolean contains(int digits) {
        return Collections.binarySearch(lengths, digits) >= 0;
    }

    /** True when all weights are equal. */
    public boolean isUniform() {
        double w0 = weights.get(0);
        for (double w : weights) {
            if (Math.abs(w - w0) > 1e-12) {
                return false;
            }
        }
        return true;
    }

    /** The canonical spec text: ranges compressed when unweighted ("1-3,5"), "4:0.5,5:0.5" when weighted. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (!isUniform()) {
            for (int i = 0; i < lengths.size(); i++) {
                if (i > 0) {
                    s.append(',');
                }
                s.append(lengths.get(i)).append(':').append(trim(weights.get(i)));
            }
            return s.toString();
        }
        int i = 0;
        while (i < lengths.size()) {
            int j = i;
            while (j + 1 < lengths.size() && lengths.get(j + 1) == lengths.get(j) + 1) {
                j++;
            }
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(lengths.get(i));
            if (j > i) {
                s.append('-').append(lengths.get(j));
            }
            i = j + 1;
        }
        return s.toString();
    }

    private static String trim(double w) {
        String t = String.format(Locale.ROOT, "%.6f", w);
        t = t.replaceAll("0+$", "");
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DigitSpec && ((DigitSpec) o).lengths.equals(lengths)
                && ((DigitSpec) o).weights.equals(weights);
    }

    @Override
    public int hashCode() {
        return lengths.hashCode() * 31 + weights.hashCode();
    }
}

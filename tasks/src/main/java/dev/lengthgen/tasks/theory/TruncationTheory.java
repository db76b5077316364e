package dev.lengthgen.tasks.theory;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Operation;
import dev.lengthgen.tasks.Radix;
import dev.lengthgen.tasks.eval.LengthLabel;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;
import dev.lengthgen.tasks.sampling.SplitMix64;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Predictions for a model that learned the truncated function f^ of its training length n (docs/ARCHITECTURE.md,
 * "The science"): an absolute-position model on addition or multiplication, or any model on modular arithmetic
 * whose modulus does not divide B^n. The predicted exact-match accuracy at test length m is the fraction of test
 * pairs on which f^(a, b) = f(a, b); it is 1 for m <= n.
 *
 * <p>Write a = A B^n + a0 and b = B' B^n + b0 (high and low parts). Then f^ = f exactly when
 * <ul>
 *   <li>add: A + B' = 0; mul: A B' B^n + A b0 + B' a0 = 0 (so 0 outward on the paper's test sets);</li>
 *   <li>mod-add: p' divides A + B', with p' = p / gcd(p, B^n);</li>
 *   <li>mod-mul: p divides A B' B^(2n) + B^n (A b0 + B' a0).</li>
 * </ul>
 * Over generator B's test domain D~_m the high and low parts are independent and uniform, so the count is exact
 * arithmetic over residues: O(p') for mod-add and O(p^3) for mod-mul (with the low-part sums in a long, i.e.
 * B^(2n) below 2^61). Generator A's D_m is the box [0, B^m)^2 minus the box [0, B^(m-1))^2, each counted the
 * same way. Where counting is not feasible (mod-mul with p > {@value #MAX_EXACT_MOD_MUL} or large n, mod-add with
 * p' > {@value #MAX_EXACT_MOD_ADD}), a seeded sample of {@value #SAMPLES} test pairs is used and the result says so.
 *
 * <p>n is the longest training length; for a mix such as D_{4,5} the labels come from the whole spec.
 */
public final class TruncationTheory {
    public static final int SAMPLES = 200_000;
    static final long MAX_EXACT_MOD_ADD = 50_000_000L;
    static final long MAX_EXACT_MOD_MUL = 600;
    static final long MAX_EXACT_PLACE_HIGH = 2_000_000L;
    private static final long THEORY_STREAM = 0x7E0L;

    private final ArithmeticTask task;
    private final DigitSpec train;
    private final int n;
    private final Sampler testSampler;
    private final long seed;
    private final int base;
    private final BigInteger lowCount;

    /**
     * @param testSampler the test domain: B (D~_m, both operands m digits, the paper's tests) or A (D_m)
     * @param seed        seeds the sample where counting is infeasible
     */
    public TruncationTheory(ArithmeticTask task, DigitSpec train, Sampler testSampler, long seed) {
        this.task = task;
        this.train = train;
        this.n = train.max();
        this.testSampler = testSampler;
        this.seed = seed;
        this.base = task.base();
        this.lowCount = Radix.pow(base, n);
    }

    /** Training length n, test sets from generator B, seed 0. */
    public TruncationTheory(ArithmeticTask task, int trainDigits) {
        this(task, DigitSpec.of(trainDigits), Sampler.B, 0);
    }

    public ArithmeticTask task() {
        return task;
    }

    public int trainDigits() {
        return n;
    }

    /** p' = p / gcd(p, B^n) for the modular tasks (1 means f^ = f everywhere); 0 for add and mul. */
    public long reducedModulus() {
        if (!task.op().isModular()) {
            return 0;
        }
        BigInteger p = BigInteger.valueOf(task.modulus());
        return p.divide(p.gcd(lowCount)).longValueExact();
    }

    /** The predicted exact-match accuracy at test length m. */
    public Prediction predict(int m) {
        LengthLabel label = LengthLabel.of(m, train);
        BigInteger total = testSampler.pairCount(base, m);
        if (m <= n) {
            return new Prediction(m, label, 1.0, Method.EXACT, total, total);
        }
        BigInteger agreeing = exactAgreeing(m);
        if (agreeing != null) {
            return new Prediction(m, label, ratio(agreeing, total), Method.EXACT, agreeing, total);
        }
        SplitMix64 rng = SplitMix64.derive(seed, THEORY_STREAM, m, testSampler.ordinal());
        int hits = 0;
        for (int i = 0; i < SAMPLES; i++) {
            BigInteger[] pair = testSampler.drawBig(rng, base, m);
            if (task.apply(pair[0].mod(lowCount), pair[1].mod(lowCount)).equals(task.apply(pair[0], pair[1]))) {
                hits++;
            }
        }
        return new Prediction(m, label, (double) hits / SAMPLES, Method.SAMPLED, BigInteger.valueOf(hits),
                BigInteger.valueOf(SAMPLES));
    }

    /**
     * The outward accuracy as m grows without bound: gcd(p, B^n)/p = 1/p' for mod-add; for mod-mul the same count
     * with uniform high parts (NaN where that count is infeasible); 0 for add and mul.
     */
    public double limit() {
        if (!task.op().isModular()) {
            return 0;
        }
        long q = task.op() == Operation.MOD_ADD ? reducedModulus() : task.modulus();
        BigInteger span = BigInteger.valueOf(q);
        // A high-part range of exactly q numbers has uniform residues mod q: the limit's distribution.
        BigInteger agreeing = regionAgreeing(BigInteger.ZERO, span);
        if (agreeing == null) {
            return task.op() == Operation.MOD_ADD ? 1.0 / q : Double.NaN;
        }
        return ratio(agreeing, span.multiply(span).multiply(lowCount).multiply(lowCount));
    }

    /**
     * The last test length z such that every outward length n+1..z has predicted accuracy exactly 0 (z = n when
     * the first outward length is already above 0; {@link Integer#MAX_VALUE} when every outward length is 0: add,
     * and mul on generator B's test sets; on generator A's, mul is above 0 where an operand is 0). For mod-add it is
     * the closed form of docs/ARCHITECTURE.md, "The science": the largest m with
     * 2 (B^(m-n) - 1) < p', i.e. m < n + log_B(p'/2 + 1). Empty where it cannot be determined exactly.
     */
    public OptionalInt lastZeroLength() {
        switch (task.op()) {
            case ADD:
                return OptionalInt.of(Integer.MAX_VALUE);
            case MOD_ADD: {
                BigInteger pPrime = BigInteger.valueOf(reducedModulus());
                int m = n + 1;
                while (Radix.pow(base, m - n).subtract(BigInteger.ONE).shiftLeft(1).compareTo(pPrime) < 0) {
                    m++;
                }
                return OptionalInt.of(m - 1);
            }
            default: {
                if (task.op() == Operation.MUL && testSampler == Sampler.B) {
                    return OptionalInt.of(Integer.MAX_VALUE);
                }
                for (int m = n + 1; m <= n + 24; m++) {
                    BigInteger agreeing = exactAgreeing(m);
                    if (agreeing == null) {
                        return OptionalInt.empty();
                    }
                    if (agreeing.signum() > 0) {
                        return OptionalInt.of(m - 1);
                    }
                }
                return OptionalInt.empty();
            }
        }
    }

    /** The exact count of test pairs of length m > n with f^ = f, or null where counting is infeasible. */
    BigInteger exactAgreeing(int m) {
        if (testSampler == Sampler.B) {
            return regionAgreeing(Radix.pow(base, m - n - 1), Radix.pow(base, m - n));
        }
        BigInteger outer = boxAgreeing(m);
        BigInteger inner = boxAgreeing(m - 1);
        return outer == null || inner == null ? null : outer.subtract(inner);
    }

    /** Pairs of [0, B^k)^2 with f^ = f. */
    private BigInteger boxAgreeing(int k) {
        if (k <= n) {
            return Radix.pow(base, 2 * k);
        }
        return regionAgreeing(BigInteger.ZERO, Radix.pow(base, k - n));
    }

    /** Pairs with both high parts in [lo, hi) and any low parts in [0, B^n) on which f^ = f; null if infeasible. */
    private BigInteger regionAgreeing(BigInteger lo, BigInteger hi) {
        BigInteger lowPairs = lowCount.multiply(lowCount);
        boolean zeroInRange = lo.signum() == 0;
        switch (task.op()) {
            case ADD:
                return zeroInRange ? lowPairs : BigInteger.ZERO;
            case MUL:
                // A = B' = 0 (any low parts), or exactly one high part 0 and the other operand's low part 0.
                return zeroInRange ? lowPairs.add(hi.subtract(BigInteger.ONE).multiply(lowCount).shiftLeft(1))
                        : BigInteger.ZERO;
            case MOD_ADD: {
                long pPrime = reducedModulus();
                if (pPrime > MAX_EXACT_MOD_ADD) {
                    return null;
                }
                return pairsWithSumDivisible(lo, hi, pPrime).multiply(lowPairs);
            }
            default:
                if (task.modulus() > MAX_EXACT_MOD_MUL || !Radix.fitsLong(base, 2 * n)) {
                    return null;
                }
                return modMulAgreeing(lo, hi);
        }
    }

    /**
     * #{(A, B') in [lo, hi)^2 : q | A + B'}. Each residue class r of [lo, hi) holds c + e(r) numbers, with
     * c = (hi - lo) / q and e(r) = 1 for the rem = (hi - lo) mod q classes starting at lo; so the sum over r of
     * count(r) count(-r) is q c^2 + 2 c rem + #{r : e(r) = e(-r) = 1}.
     */
    static BigInteger pairsWithSumDivisible(BigInteger lo, BigInteger hi, long q) {
        BigInteger[] qr = hi.subtract(lo).divideAndRemainder(BigInteger.valueOf(q));
        BigInteger c = qr[0];
        long rem = qr[1].longValueExact();
        long start = lo.mod(BigInteger.valueOf(q)).longValueExact();
        long both = 0;
        for (long r = 0; r < q; r++) {
            long neg = (q - r) % q;
            if (Math.floorMod(r - start, q) < rem && Math.floorMod(neg - start, q) < rem) {
                both++;
            }
        }
        return BigInteger.valueOf(q).multiply(c).multiply(c)
                .add(c.multiply(BigInteger.valueOf(2 * rem)))
                .add(BigInteger.valueOf(both));
    }

    /**
     * Mod-mul count over residues mod p: with K = B^n mod p, f^ = f iff K (rA rB K + rA rb + rB ra) = 0 (mod p),
     * where rA, rB are the high parts' residues and ra, rb the low parts'. For fixed (rA, rB, ra) that is a linear
     * congruence (K rA) rb = d in rb, whose solutions form one class mod p/g (g = gcd(K rA, p)) when g | d; the
     * low-part counts per class mod each divisor of p are precomputed, so the count costs O(p^3).
     */
    private BigInteger modMulAgreeing(BigInteger lo, BigInteger hi) {
        int p = (int) task.modulus();
        long k = lowCount.mod(BigInteger.valueOf(p)).longValueExact();
        long low = lowCount.longValueExact();
        long[] lowByResidue = new long[p];
        for (int r = 0; r < p; r++) {
            lowByResidue[r] = low / p + (r < low % p ? 1 : 0);
        }
        Map<Integer, long[]> lowByClass = new HashMap<>();
        for (int q = 1; q <= p; q++) {
            if (p % q == 0) {
                long[] s = new long[q];
                for (int r = 0; r < p; r++) {
                    s[r % q] += lowByResidue[r];
                }
                lowByClass.put(q, s);
            }
        }
        BigInteger[] qr = hi.subtract(lo).divideAndRemainder(BigInteger.valueOf(p));
        BigInteger highEach = qr[0];
        long highRem = qr[1].longValueExact();
        long highStart = lo.mod(BigInteger.valueOf(p)).longValueExact();
        BigInteger[] highByResidue = new BigInteger[p];
        for (int r = 0; r < p; r++) {
            highByResidue[r] = Math.floorMod(r - highStart, p) < highRem ? highEach.add(BigInteger.ONE) : highEach;
        }
        BigInteger total = BigInteger.ZERO;
        for (int rA = 0; rA < p; rA++) {
            if (highByResidue[rA].signum() == 0) {
                continue;
            }
            long c = k * rA % p;
            int g = (int) gcd(c, p);
            int q = p / g;
            long inv = q == 1 ? 0 : modInverse(c / g, q);
            long[] classes = lowByClass.get(q);
            for (int rB = 0; rB < p; rB++) {
                if (highByResidue[rB].signum() == 0) {
                    continue;
                }
                long inner = 0;
                for (int ra = 0; ra < p; ra++) {
                    long d = Math.floorMod(-(k * rB % p) * ((rA * k + ra) % p), (long) p);
                    if (d % g != 0) {
                        continue;
                    }
                    long r0 = q == 1 ? 0 : (d / g) % q * inv % q;
                    inner += lowByResidue[ra] * classes[(int) r0];
                }
                if (inner != 0) {
                    total = total.add(highByResidue[rA].multiply(highByResidue[rB])
                            .multiply(BigInteger.valueOf(inner)));
                }
            }
        }
        return total;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return Math.abs(a);
    }

    private static long modInverse(long a, long m) {
        return BigInteger.valueOf(a).modInverse(BigInteger.valueOf(m)).longValueExact();
    }

    /**
     * The predicted per-place accuracy of an APE addition model (task add) at test length m: places 1..n are right;
     * place n + 1 holds f^'s carry, right when A + B' = 0 mod B; places above are right when the true digit is 0.
     * Exact by counting over the sums A + B' where the high parts number at most {@value #MAX_EXACT_PLACE_HIGH},
     * sampled otherwise.
     */
    public PlacePrediction perPlace(int m) {
        if (task.op() != Operation.ADD) {
            throw new IllegalArgumentException("the per-place prediction is for addition (task add), not "
                    + task.op().cliName());
        }
        int places = m + 2;
        double[] out = new double[places];
        if (m <= n) {
            Arrays.fill(out, 1.0);
            return new PlacePrediction(m, out, Method.EXACT);
        }
        BigInteger total = testSampler.pairCount(base, m);
        BigInteger[] agreeing;
        if (testSampler == Sampler.B) {
            agreeing = regionPlaces(Radix.pow(base, m - n - 1), Radix.pow(base, m - n), places);
        } else {
            BigInteger[] outer = boxPlaces(m, places);
            BigInteger[] inner = boxPlaces(m - 1, places);
            agreeing = outer == null || inner == null ? null : new BigInteger[places];
            for (int i = 0; agreeing != null && i < places; i++) {
                agreeing[i] = outer[i].subtract(inner[i]);
            }
        }
        if (agreeing != null) {
            for (int i = 0; i < places; i++) {
                out[i] = ratio(agreeing[i], total);
            }
            return new PlacePrediction(m, out, Method.EXACT);
        }
        SplitMix64 rng = SplitMix64.derive(seed, THEORY_STREAM + 1, m, testSampler.ordinal());
        long[] hits = new long[places];
        for (int i = 0; i < SAMPLES; i++) {
            BigInteger[] pair = testSampler.drawBig(rng, base, m);
            String truth = pair[0].add(pair[1]).toString(base);
            String hat = task.apply(pair[0].mod(lowCount), pair[1].mod(lowCount)).toString(base);
            for (int k = 0; k < places; k++) {
                if (digitAt(truth, k) == digitAt(hat, k)) {
                    hits[k]++;
                }
            }
        }
        for (int k = 0; k < places; k++) {
            out[k] = (double) hits[k] / SAMPLES;
        }
        return new PlacePrediction(m, out, Method.SAMPLED);
    }

    private static char digitAt(String msbFirst, int place0) {
        int i = msbFirst.length() - 1 - place0;
        return i >= 0 ? msbFirst.charAt(i) : '0';
    }

    private BigInteger[] boxPlaces(int k, int places) {
        if (k <= n) {
            BigInteger[] all = new BigInteger[places];
            Arrays.fill(all, Radix.pow(base, 2 * k));
            return all;
        }
        return regionPlaces(BigInteger.ZERO, Radix.pow(base, k - n), places);
    }

    /** Per place, the pairs with high parts in [lo, hi)^2 whose sum's digit there equals f^'s; null if too many. */
    private BigInteger[] regionPlaces(BigInteger loBig, BigInteger hiBig, int places) {
        if (hiBig.subtract(loBig).compareTo(BigInteger.valueOf(MAX_EXACT_PLACE_HIGH)) > 0) {
            return null;
        }
        long lo = loBig.longValueExact();
        long hi = hiBig.longValueExact();
        BigInteger nn = lowCount;
        // Low parts: a carry out of place n for N(N-1)/2 of the N^2 low pairs.
        BigInteger carry = nn.multiply(nn.subtract(BigInteger.ONE)).shiftRight(1);
        BigInteger noCarry = nn.multiply(nn).subtract(carry);
        BigInteger highPairs = BigInteger.valueOf(hi - lo).pow(2);
        BigInteger[] out = new BigInteger[places];
        for (int k = 1; k <= places; k++) {
            if (k <= n) {
                out[k - 1] = highPairs.multiply(nn).multiply(nn);
                continue;
            }
            int j = k - n - 1;
            long unit = 1;
            for (int t = 0; t < j && unit <= Long.MAX_VALUE / base; t++) {
                unit *= base;
            }
            long hatDigitWithCarry = j == 0 ? 1 : 0;
            long withoutCarry = 0;
            long withCarry = 0;
            for (long s = 2 * lo; s <= 2 * hi - 2; s++) {
                long pairs = Math.min(hi - 1, s - lo) - Math.max(lo, s - (hi - 1)) + 1;
                if ((s / unit) % base == 0) {
                    withoutCarry += pairs;
                }
                if (((s + 1) / unit) % base == hatDigitWithCarry) {
                    withCarry += pairs;
                }
            }
            out[k - 1] = noCarry.multiply(BigInteger.valueOf(withoutCarry))
                    .add(carry.multiply(BigInteger.valueOf(withCarry)));
        }
        return out;
    }

    private static double ratio(BigInteger num, BigInteger den) {
        if (den.signum() == 0) {
            return Double.NaN;
        }
        return new BigDecimal(num).divide(new BigDecimal(den), MathContext.DECIMAL64).doubleValue();
    }
}

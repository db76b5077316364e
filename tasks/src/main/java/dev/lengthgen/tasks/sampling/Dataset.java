package dev.lengthgen.tasks.sampling;

import dev.lengthgen.tasks.ArithmeticTask;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.Radix;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.Format;

import java.math.BigInteger;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fixed training set of unique pairs plus fixed test sets, all determined by the seed.
 *
 * <p><b>Training set.</b> {@code trainSize} unique pairs drawn with the training sampler, split over the spec's
 * lengths by its weights (largest-remainder rounding). A length whose share exceeds the pairs it has gets 90% of
 * them (a tenth stays unseen, so every trained length has an in-distribution test set; all of them only when the
 * size asked for needs it) and the rest is shared among the other lengths by their weights; asking for more pairs
 * than all lengths hold together is an error that says how many exist. {@link #ALL} asks for every pair of every
 * length.
 *
 * <p><b>Batches.</b> {@link #trainBatch(long, int)} walks shuffled epochs over the training set: example number
 * {@code index * batchSize + j} is element {@code (that mod N)} of epoch {@code (that / N)}'s permutation. It is a
 * pure function of (seed, index, batchSize), so a resumed run continues bit for bit from the step number alone.
 *
 * <p><b>Test sets.</b> {@link #testSet(int, int)} draws, by default from generator B (both operands exactly that
 * many digits, as the paper's tests are), unique pairs that are not training pairs, fixed per (seed, length,
 * sampler). When fewer unseen pairs exist than asked, it returns all of them (so check the size). Unlike the paper's
 * own data, the in-distribution test set is therefore guaranteed disjoint from the training set.
 *
 * <p>All randomness is {@link SplitMix64} with seeds derived per purpose, so a seed gives the same data on every
 * machine and JDK. Instances are safe to share between threads.
 */
public final class Dataset {
    /** Pass as trainSize to take every pair of every training length. */
    public static final int ALL = -1;
    /** The most pairs a domain may have to be enumerated (when asking for more than half of its pairs). */
    static final int MAX_ENUMERATED = 1 << 25;

    private static final long TRAIN_STREAM = 1;
    private static final long EPOCH_STREAM = 2;
    private static final long TEST_STREAM = 3;

    private final ArithmeticTask task;
    private final Format format;
    private final DigitSpec train;
    private final Sampler sampler;
    private final long seed;
    private final boolean longMode;
    private final long[] trainA;
    private final long[] trainB;
    private final BigInteger[] trainBigA;
    private final BigInteger[] trainBigB;
    private final int size;
    private final int[] perLength;
    private final PairSet trainSet = new PairSet();
    /** Start of each length's slots in an epoch, and of its pairs in the training arrays (see trainBatch). */
    private final long[] slotStart;
    private final int[] pairStart;
    private final int epochSize;

    private final Object cacheLock = new Object();
    private long cachedEpoch = -1;
    private int[] cachedPermutation;
    private final Map<String, List<Problem>> testCache = new HashMap<>();

    /**
     * Draws the training set.
     *
     * @param trainSize the number of unique training pairs, or {@link #ALL}
     * @throws IllegalArgumentException when the lengths do not fit the format or more pairs are asked than exist
     */
    public Dataset(ArithmeticTask task, Format format, DigitSpec train, Sampler sampler, long seed, int trainSize) {
        this(task, format, train, sampler, seed, trainSize, false);
    }

    /**
     * Draws the training set; with {@code balanced}, epochs repeat the pairs of lengths that have fewer than their
     * weight's share, so that every length appears in batches at its weight (a mix 1-3 then sees as many 1-digit as
     * 3-digit problems, although only 100 one-digit pairs exist). The unique pairs, and so the test sets, are the same
     * either way.
     *
     * @param trainSize the number of unique training pairs, or {@link #ALL}
     * @throws IllegalArgumentException when the lengths do not fit the format or more pairs are asked than exist
     */
    public Dataset(ArithmeticTask task, Format format, DigitSpec train, Sampler sampler, long seed, int trainSize,
                   boolean balanced) {
        this.task = task;
        this.format = format;
        this.train = train;
        this.sampler = sampler;
        this.seed = seed;
        new Codec(task, format).checkFits(train.max());
        this.perLength = allocate(task.base(), train, sampler, trainSize);
        long total = 0;
        for (int c : perLength) {
            total += c;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a training set of " + total + " pairs is too large to hold");
        }
        this.size = (int) total;
        this.longMode = Radix.fitsLong(task.base(), train.max());
        this.trainA = longMode ? new long[size] : null;
        this.trainB = longMode ? new long[size] : null;
        this.trainBigA = longMode ? null : new BigInteger[size];
        this.trainBigB = longMode ? null : new BigInteger[size];
        int at = 0;
        List<Integer> lengths = train.lengths();
        this.pairStart = new int[lengths.size()];
        for (int i = 0; i < lengths.size(); i++) {
            pairStart[i] = at;
            at = drawTraining(lengths.get(i), perLength[i], at);
        }
        this.slotStart = new long[lengths.size() + 1];
        double perWeight = 0; // pairs per unit of weight of the length that needs no repetition
        for (int i = 0; i < lengths.size(); i++) {
            perWeight = Math.max(perWeight, perLength[i] / train.weights().get(i));
        }
        for (int i = 0; i < lengths.size(); i++) {
            long slots = perLength[i] == 0 ? 0
                    : balanced ? Math.max(perLength[i], (long) Math.ceil(train.weights().get(i) * perWeight - 1e-6))
                    : perLength[i];
            slotStart[i + 1] = slotStart[i] + slots;
        }
        if (slotStart[lengths.size()] > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("balancing the lengths of " + train + " needs epochs of "
                    + slotStart[lengths.size()] + " examples, too many: give the short lengths more weight");
        }
        this.epochSize = (int) slotStart[lengths.size()];
    }

    /** The number of pairs each length gets (see the class comment); checks that they exist. */
    static int[] allocate(int base, DigitSpec spec, Sampler sampler, int trainSize) {
        List<Integer> lengths = spec.lengths();
        int k = lengths.size();
        BigInteger[] exist = new BigInteger[k];
        BigInteger totalExist = BigInteger.ZERO;
        for (int i = 0; i < k; i++) {
            exist[i] = sampler.pairCount(base, lengths.get(i));
            totalExist = totalExist.add(exist[i]);
        }
        int[] counts = new int[k];
        if (trainSize == ALL) {
            if (totalExist.compareTo(BigInteger.valueOf(MAX_ENUMERATED)) > 0) {
                throw new IllegalArgumentException("'all' pairs of " + describe(sampler, spec) + " are " + totalExist
                        + ", too many to hold (at most " + MAX_ENUMERATED + "): give a training set size");
            }
            for (int i = 0; i < k; i++) {
                counts[i] = exist[i].intValueExact();
            }
            return counts;
        }
        if (trainSize < 1) {
            throw new IllegalArgumentException("the training set size must be at least 1 (got " + trainSize + ")");
        }
        if (totalExist.compareTo(BigInteger.valueOf(trainSize)) < 0) {
            throw new IllegalArgumentException("asked for " + trainSize + " unique training pairs but "
                    + describe(sampler, spec) + " has only " + totalExist + " in base " + base
                    + ": ask for at most " + totalExist + " or for all of them");
        }
        // Each length keeps a tenth of its pairs unseen, so that it has an in-distribution test set, unless the
        // size asked for needs them.
        BigInteger totalKept = BigInteger.ZERO;
        BigInteger[] usable = new BigInteger[k];
        for (int i = 0; i < k; i++) {
            usable[i] = exist[i].subtract(exist[i].add(BigInteger.valueOf(9)).divide(BigInteger.TEN));
            totalKept = totalKept.add(usable[i]);
        }
        if (totalKept.compareTo(BigInteger.valueOf(trainSize)) < 0) {
            usable = exist;
        }
        // Water-filling: lengths that cannot supply their share give all they may; the others share the rest.
        boolean[] capped = new boolean[k];
        long remaining = trainSize;
        boolean changed = true;
        double[] quota = new double[k];
        while (changed) {
            changed = false;
            double weightLeft = 0;
            for (int i = 0; i < k; i++) {
                if (!capped[i]) {
                    weightLeft += spec.weights().get(i);
                }
            }
            for (int i = 0; i < k; i++) {
                if (!capped[i]) {
                    quota[i] = remaining * spec.weights().get(i) / weightLeft;
                    if (usable[i].compareTo(BigInteger.valueOf((long) Math.ceil(quota[i]))) < 0) {
                        capped[i] = true;
                        counts[i] = usable[i].intValueExact();
                        remaining -= counts[i];
                        changed = true;
                    }
                }
            }
        }
        long assigned = 0;
        for (int i = 0; i < k; i++) {
            if (!capped[i]) {
                counts[i] = (int) Math.floor(quota[i]);
                assigned += counts[i];
            }
        }
        // Largest remainder first; ties go to the shorter length so the result is deterministic.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            if (!capped[i]) {
                order.add(i);
            }
        }
        order.sort((x, y) -> Double.compare(quota[y] - Math.floor(quota[y]), quota[x] - Math.floor(quota[x])));
        for (int j = 0; assigned < remaining; j++) {
            int i = order.get(j % order.size());
            if (usable[i].compareTo(BigInteger.valueOf(counts[i] + 1L)) >= 0) {
                counts[i]++;
                assigned++;
            }
        }
        return counts;
    }

    private static String describe(Sampler sampler, DigitSpec spec) {
        return spec.lengths().size() == 1 ? sampler.domain(spec.min())
                : "the union of " + sampler.domain(spec.min()).replaceAll("_.*", "_n") + " for n in " + spec;
    }

    private int drawTraining(int n, int count, int at) {
        if (count == 0) {
            return at;
        }
        SplitMix64 rng = SplitMix64.derive(seed, TRAIN_STREAM, n);
        BigInteger exist = sampler.pairCount(task.base(), n);
        if (exist.compareTo(BigInteger.valueOf(2L * count)) < 0) {
            long[][] all = sampler.enumerate(task.base(), n, MAX_ENUMERATED);
            partialShuffle(all, count, rng);
            for (int j = 0; j < count; j++) {
                trainSet.add(all[0][j], all[1][j]);
                store(at++, all[0][j], all[1][j]);
            }
            return at;
        }
        int drawn = 0;
        if (longMode) {
            long[] pair = new long[2];
            while (drawn < count) {
                sampler.drawLong(rng, task.base(), n, pair);
                if (trainSet.add(pair[0], pair[1])) {
                    store(at++, pair[0], pair[1]);
                    drawn++;
                }
            }
        } else {
            while (drawn < count) {
                BigInteger[] pair = sampler.drawBig(rng, task.base(), n);
                if (trainSet.add(pair[0], pair[1])) {
                    trainBigA[at] = pair[0];
                    trainBigB[at] = pair[1];
                    at++;
                    drawn++;
                }
            }
        }
        return at;
    }

    private void store(int i, long a, long b) {
        if (longMode) {
            trainA[i] = a;
            trainB[i] = b;
        } else {
            trainBigA[i] = BigInteger.valueOf(a);
            trainBigB[i] = BigInteger.valueOf(b);
        }
    }

    /** Moves a uniformly chosen ordered selection of {@code count} pairs to the front (Fisher-Yates, partial). */
    private static void partialShuffle(long[][] pairs, int count, SplitMix64 rng) {
        long[] as = pairs[0];
        long[] bs = pairs[1];
        int n = as.length;
        for (int j = 0; j < count; j++) {
            int r = j + (int) rng.nextLong(n - j);
            long t = as[j];
            as[j] = as[r];
            as[r] = t;
            t = bs[j];
            bs[j] = bs[r];
            bs[r] = t;
        }
    }

    public ArithmeticTask task() {
        return task;
    }

    public Format format() {
        return format;
    }

    public DigitSpec trainSpec() {
        return train;
    }

    public Sampler sampler() {
        return sampler;
    }

    public long seed() {
        return seed;
    }

    /** The number of training pairs. */
    public int trainSize() {
        return size;
    }

    /** How many training pairs each length of the spec got, aligned with {@code trainSpec().lengths()}. */
    public int[] pairsPerLength() {
        return perLength.clone();
    }

    /** Training pair i in the fixed (unshuffled) order. */
    public Problem trainProblem(int i) {
        return longMode ? Problem.of(trainA[i], trainB[i]) : new Problem(trainBigA[i], trainBigB[i]);
    }

    /** The training pairs in their fixed (unshuffled) order, as a read-only view. */
    public List<Problem> trainingPairs() {
        return new AbstractList<>() {
            @Override
            public Problem get(int i) {
                return trainProblem(i);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** True when (a, b) is a training pair. */
    public boolean isTraining(Problem p) {
        return trainSet.contains(p.a(), p.b());
    }

    /**
     * Batch number {@code index} (0, 1, 2, ...) of shuffled epochs over the training set: a pure function of
     * (seed, index, batchSize).
     */
    public List<Problem> trainBatch(long index, int batchSize) {
        if (index < 0 || batchSize < 1) {
            throw new IllegalArgumentException("batch index must be >= 0 and batch size >= 1");
        }
        List<Problem> batch = new ArrayList<>(batchSize);
        long first = Math.multiplyExact(index, batchSize);
        for (int j = 0; j < batchSize; j++) {
            long pos = first + j;
            int[] perm = permutation(pos / epochSize);
            batch.add(trainProblem(pairOfSlot(perm[(int) (pos % epochSize)])));
        }
        return batch;
    }

    /** The training pair an epoch slot holds: slots of a length cycle over its pairs. */
    private int pairOfSlot(int slot) {
        int i = Arrays.binarySearch(slotStart, slot);
        if (i < 0) {
            i = -i - 2;
        }
        while (slotStart[i + 1] == slotStart[i]) { // skip lengths without pairs
            i++;
        }
        return pairStart[i] + (int) ((slot - slotStart[i]) % perLength[i]);
    }

    /** Examples per epoch: the training set's size, or more when balancing repeats short lengths. */
    public int epochSize() {
        return epochSize;
    }

    private int[] permutation(long epoch) {
        synchronized (cacheLock) {
            if (epoch == cachedEpoch) {
                return cachedPermutation;
            }
            int[] perm = new int[epochSize];
            for (int i = 0; i < epochSize; i++) {
                perm[i] = i;
            }
            SplitMix64 rng = SplitMix64.derive(seed, EPOCH_STREAM, epoch);
            for (int i = epochSize - 1; i > 0; i--) {
                int r = (int) rng.nextLong(i + 1L);
                int t = perm[i];
                perm[i] = perm[r];
                perm[r] = t;
            }
            cachedEpoch = epoch;
            cachedPermutation = perm;
            return perm;
        }
    }

    /** {@link #testSet(int, int, Sampler)} from generator B (both operands exactly {@code digits} digits). */
    public List<Problem> testSet(int digits, int count) {
        return testSet(digits, count, Sampler.B);
    }

    /**
     * A fixed test set of up to {@code count} unique pairs from the sampler's domain of {@code digits}-digit
     * problems, none of them a training pair; all unseen pairs of the domain when fewer than {@code count} exist.
     *
     * @throws IllegalArgumentException when {@code digits} does not fit the format
     */
    public List<Problem> testSet(int digits, int count, Sampler testSampler) {
        if (count < 0) {
            throw new IllegalArgumentException("test set size must be >= 0");
        }
        new Codec(task, format).checkFits(digits);
        String key = digits + "/" + count + "/" + testSampler;
        synchronized (testCache) {
            List<Problem> cached = testCache.get(key);
            if (cached != null) {
                return cached;
            }
        }
        List<Problem> drawn = Collections.unmodifiableList(drawTest(digits, count, testSampler));
        synchronized (testCache) {
            testCache.put(key, drawn);
        }
        return drawn;
    }

    private List<Problem> drawTest(int digits, int count, Sampler testSampler) {
        int base = task.base();
        SplitMix64 rng = SplitMix64.derive(seed, TEST_STREAM, digits, testSampler.ordinal());
        BigInteger exist = testSampler.pairCount(base, digits);
        long overlap = 0;
        if (train.contains(digits)) {
            for (int i = 0; i < size; i++) {
                Problem p = trainProblem(i);
                if (testSampler.contains(base, digits, p.a(), p.b())) {
                    overlap++;
                }
            }
        }
        BigInteger available = exist.subtract(BigInteger.valueOf(overlap));
        int want = available.compareTo(BigInteger.valueOf(count)) < 0 ? available.intValueExact() : count;
        List<Problem> out = new ArrayList<>(want);
        if (available.compareTo(BigInteger.valueOf(2L * want)) < 0) {
            long[][] all = testSampler.enumerate(base, digits, MAX_ENUMERATED);
            int n = 0;
            for (int i = 0; i < all[0].length; i++) {
                if (!trainSet.contains(all[0][i], all[1][i])) {
                    all[0][n] = all[0][i];
                    all[1][n] = all[1][i];
                    n++;
                }
            }
            long[][] unseen = {Arrays.copyOf(all[0], n), Arrays.copyOf(all[1], n)};
            partialShuffle(unseen, want, rng);
            for (int j = 0; j < want; j++) {
                out.add(Problem.of(unseen[0][j], unseen[1][j]));
            }
            return out;
        }
        PairSet chosen = new PairSet();
        if (Radix.fitsLong(base, digits)) {
            long[] pair = new long[2];
            while (out.size() < want) {
                testSampler.drawLong(rng, base, digits, pair);
                if (!trainSet.contains(pair[0], pair[1]) && chosen.add(pair[0], pair[1])) {
                    out.add(Problem.of(pair[0], pair[1]));
                }
            }
        } else {
            while (out.size() < want) {
                BigInteger[] pair = testSampler.drawBig(rng, base, digits);
                if (!trainSet.contains(pair[0], pair[1]) && chosen.add(pair[0], pair[1])) {
                    out.add(new Problem(pair[0], pair[1]));
                }
            }
        }
        return out;
    }
}

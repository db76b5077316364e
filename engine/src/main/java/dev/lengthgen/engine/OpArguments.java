package dev.lengthgen.engine;

/**
 * Argument checks that every backend makes the same way for the same op, so that a bad call fails with the same
 * message wherever it runs. Backends add their own limits (e.g. OpenCL's 32-bit indexing) on top.
 */
public final class OpArguments {
    private OpArguments() {
    }

    /** C channels must split evenly into NH heads. */
    public static void heads(int C, int NH) {
        if (NH <= 0 || C % NH != 0) {
            throw new IllegalArgumentException("channels " + C + " do not split into " + NH + " heads");
        }
    }

    /** A dropout probability must be in [0, 1): p = 1 would divide by zero in the 1 / (1 - p) scale. */
    public static void dropout(float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
    }

    /** Checks a rotary call (even head size, positive finite base, view sizes) and returns N = B * T. */
    public static int rotary(String op, View dst, View src, View posIds, float base, int B, int T, int C, int NH) {
        heads(C, NH);
        if ((C / NH) % 2 != 0) {
            throw new IllegalArgumentException(op + ": the head size " + C / NH + " must be even");
        }
        if (!(base > 0f) || Float.isInfinite(base)) {
            throw new IllegalArgumentException(op + ": base must be positive and finite, got " + base);
        }
        int N = B * T;
        dst.require(DType.F32, (long) N * 3 * C, op, "destination");
        src.require(DType.F32, (long) N * 3 * C, op, "source");
        posIds.require(DType.I32, N, op, "posIds");
        return N;
    }

    /** Checks the shapes of a bucket-bias call (not the bucket ids themselves). */
    public static void bucketBias(String op, View bias, View table, View buckets, int NH, int T, int K) {
        if (NH <= 0 || T <= 0 || K <= 0) {
            throw new IllegalArgumentException(op + ": NH, T and K must be positive, got " + NH + ", " + T + ", " + K);
        }
        bias.require(DType.F32, (long) NH * T * T, op, "bias");
        table.require(DType.F32, (long) NH * K, op, "table");
        buckets.require(DType.I32, (long) T * T, op, "buckets");
    }

    /**
     * Checks a gatherRows call's sizes and returns the rows its N-row side holds (full.length() / C); the row ids
     * themselves are checked by {@link #gatherRowIds} where the backend can read them.
     */
    public static int gatherRows(String op, View full, View gathered, View rows, int M, int C) {
        if (M < 0 || C <= 0) {
            throw new IllegalArgumentException(op + ": M must be non-negative and C positive, got " + M + ", " + C);
        }
        gathered.require(DType.F32, (long) M * C, op, "gathered rows");
        rows.require(DType.I32, M, op, "rows");
        full.require(DType.F32, C, op, "full rows");
        return (int) Math.min(Integer.MAX_VALUE, full.length() / C);
    }

    /** Row ids ids[off .. off + M) must be strictly increasing and inside [0, n). */
    public static void gatherRowIds(String op, int[] ids, int off, int M, int n) {
        int previous = -1;
        for (int m = 0; m < M; m++) {
            int r = ids[off + m];
            if (r <= previous || r >= n) {
                throw new IllegalArgumentException(op + ": row " + r + " at " + m + " is not inside [0, " + n
                        + ") or not above the row before it (" + previous + ")");
            }
            previous = r;
        }
    }
}

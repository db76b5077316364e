package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

import java.util.Arrays;

/**
 * An additive attention bias (NH,T,T) looked up in a per-head table (NH,K) by an integer bucket per (query i, key j)
 * pair: T5's learned relative-distance buckets, or ALiBi's fixed -slope * distance. Only the causal part j <= i is
 * read or written; above the diagonal the bias is 0 and the buckets are ignored.
 */
final class BucketBiasOps {
    private BucketBiasOps() {
    }

    /** bias (NH,T,T) written = table[h, buckets[i*T + j]] (NH,K) for j <= i, 0 above; buckets I32 (T*T). */
    static void forward(View bias, View table, View buckets, int NH, int T, int K) {
        checkIds("bucketBiasForward", buckets, T, K);
        double[] o = ReferenceBackend.f(bias), tab = ReferenceBackend.f(table);
        int[] bk = ReferenceBackend.i(buckets);
        int oo = (int) bias.offset(), to = (int) table.offset(), bo = (int) buckets.offset();
        for (int h = 0; h < NH; h++) {
            for (int i = 0; i < T; i++) {
                for (int j = 0; j < T; j++) {
                    o[oo + (h * T + i) * T + j] = j <= i ? tab[to + h * K + bk[bo + i * T + j]] : 0;
                }
            }
        }
    }

    /** dtable (NH,K) += per bucket the sum of dbias (NH,T,T) over the causal entries in that bucket. */
    static void backward(View dtable, View dbias, View buckets, int NH, int T, int K) {
        checkIds("bucketBiasBackward", buckets, T, K);
        double[] dt = ReferenceBackend.f(dtable), db = ReferenceBackend.f(dbias);
        int[] bk = ReferenceBackend.i(buckets);
        int dto = (int) dtable.offset(), dbo = (int) dbias.offset(), bo = (int) buckets.offset();
        double[] sums = new double[K];
        for (int h = 0; h < NH; h++) {
            Arrays.fill(sums, 0);
            for (int i = 0; i < T; i++) {
                for (int j = 0; j <= i; j++) {
                    sums[bk[bo + i * T + j]] += db[dbo + (h * T + i) * T + j];
                }
            }
            for (int k = 0; k < K; k++) {
                dt[dto + h * K + k] += sums[k];
            }
        }
    }

    /** Bucket ids index the table; one outside [0, K) would read or write another tensor's memory. */
    private static void checkIds(String op, View buckets, int T, int K) {
        int[] bk = ReferenceBackend.i(buckets);
        int bo = (int) buckets.offset();
        for (int i = 0; i < T; i++) {
            for (int j = 0; j <= i; j++) {
                int b = bk[bo + i * T + j];
                if (b < 0 || b >= K) {
                    throw new IllegalArgumentException(op + ": bucket " + b + " of query " + i + ", key " + j
                            + " is outside [0, " + K + ")");
                }
            }
        }
    }
}

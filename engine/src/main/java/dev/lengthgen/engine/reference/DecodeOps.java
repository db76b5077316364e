package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/**
 * Greedy decoding with a KV cache: store the keys and values of new positions, attend from one new token per
 * sequence over the cached positions, pick the most likely next token. The cache is (B,NH,maxT,hs), so one head's
 * keys are contiguous over positions.
 */
final class DecodeOps {
    private DecodeOps() {
    }

    /** kcache, vcache (B,NH,maxT,hs) at positions [pos0, pos0 + T) = k, v of qkv (B,T,3C). */
    static void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0) {
        int hs = C / NH, C3 = 3 * C;
        double[] kc = ReferenceBackend.f(kcache), vc = ReferenceBackend.f(vcache), x = ReferenceBackend.f(qkv);
        int ko = (int) kcache.offset(), vo = (int) vcache.offset(), xo = (int) qkv.offset();
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int h = 0; h < NH; h++) {
                    int cache = ((b * NH + h) * maxT + pos0 + t) * hs;
                    int src = xo + (b * T + t) * C3 + h * hs;
                    for (int i = 0; i < hs; i++) {
                        kc[ko + cache + i] = x[src + C + i];
                        vc[vo + cache + i] = x[src + 2 * C + i];
                    }
                }
            }
        }
    }

    /**
     * out (B,C) written = softmax(q . K[0..pos]^T / sqrt(hs) + bias[h,pos,0..pos]) . V[0..pos] per head;
     * q from qkv (B,3C); kcache, vcache (B,NH,maxT,hs) hold positions 0..pos; bias (NH,maxT,maxT) or null.
     */
    static void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH,
                                int maxT, int pos) {
        int hs = C / NH, C3 = 3 * C;
        double[] o = ReferenceBackend.f(out), x = ReferenceBackend.f(qkv);
        double[] kc = ReferenceBackend.f(kcache), vc = ReferenceBackend.f(vcache);
        double[] bi = bias == null ? null : ReferenceBackend.f(bias);
        int oo = (int) out.offset(), xo = (int) qkv.offset(), ko = (int) kcache.offset(), vo = (int) vcache.offset();
        int bio = bias == null ? 0 : (int) bias.offset();
        double scale = 1.0 / Math.sqrt(hs);
        double[] att = new double[pos + 1];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                int q = xo + b * C3 + h * hs;
                int head = (b * NH + h) * maxT * hs;
                double max = Double.NEGATIVE_INFINITY;
                for (int t2 = 0; t2 <= pos; t2++) {
                    double dot = 0;
                    for (int i = 0; i < hs; i++) {
                        dot += x[q + i] * kc[ko + head + t2 * hs + i];
                    }
                    att[t2] = dot * scale + (bi == null ? 0 : bi[bio + (h * maxT + pos) * maxT + t2]);
                    max = Math.max(max, att[t2]);
                }
                double sum = 0;
                for (int t2 = 0; t2 <= pos; t2++) {
                    att[t2] = Math.exp(att[t2] - max);
                    sum += att[t2];
                }
                int oRow = oo + b * C + h * hs;
                for (int i = 0; i < hs; i++) {
                    double acc = 0;
                    for (int t2 = 0; t2 <= pos; t2++) {
                        acc += att[t2] / sum * vc[vo + head + t2 * hs + i];
                    }
                    o[oRow + i] = acc;
                }
            }
        }
    }

    /** out I32 (N) written = index of the largest of logits (N,V) per row; ties go to the smallest index. */
    static void argmax(View out, View logits, int N, int V) {
        int[] o = ReferenceBackend.i(out);
        double[] z = ReferenceBackend.f(logits);
        int oo = (int) out.offset(), zo = (int) logits.offset();
        for (int n = 0; n < N; n++) {
            int best = 0;
            for (int j = 1; j < V; j++) {
                if (z[zo + n * V + j] > z[zo + n * V + best]) {
                    best = j;
                }
            }
            o[oo + n] = best;
        }
    }
}

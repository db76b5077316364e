package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/** Fused softmax + masked cross-entropy (the loss and, for training, its gradient in one pass). */
final class LossOps {
    private LossOps() {
    }

    /**
     * losses (N) written = mask[n] * -log softmax(logits[n])[targets[n]]; dlogits (N,V) written, or null, =
     * dlossScale * mask[n] * (softmax(logits[n]) - onehot(targets[n])). logits (N,V), targets I32 (N), mask F32 (N).
     * Rows with mask 0 get loss 0 and gradient 0.
     */
    static void crossEntropyForward(View losses, View dlogits, View logits, View targets, View mask, float dlossScale,
                                    int N, int V) {
        double[] l = ReferenceBackend.f(losses), z = ReferenceBackend.f(logits), m = ReferenceBackend.f(mask);
        int[] y = ReferenceBackend.i(targets);
        double[] dz = dlogits == null ? null
                : ReferenceBackend.f(dlogits);
        int lo = (int) losses.offset(), zo = (int) logits.offset(), mo = (int) mask.offset();
        int yo = (int) targets.offset(), dzo = dlogits == null ? 0 : (int) dlogits.offset();
        for (int n = 0; n < N; n++) {
            int target = y[yo + n];
            if (target < 0 || target >= V) {
                throw new IllegalArgumentException("crossEntropy: target " + target + " at row " + n
                        + " is outside [0, " + V + ")");
            }
            double w = m[mo + n];
            int row = zo + n * V;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < V; j++) {
                max = Math.max(max, z[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < V; j++) {
                sum += Math.exp(z[row + j] - max);
            }
            double logSum = Math.log(sum) + max;
            l[lo + n] = w == 0 ? 0 : w * (logSum - z[row + target]);
            if (dz != null) {
                for (int j = 0; j < V; j++) {
                    double prob = Math.exp(z[row + j] - logSum);
                    dz[dzo + n * V + j] = w == 0 ? 0 : dlossScale * w * (prob - (j == target ? 1 : 0));
                }
            }
        }
    }
}

package dev.lengthgen.model.train;

/**
 * One batch of sequences, (B, T) flattened row-major: inputs, next-token targets, the loss mask (1 where the target
 * is an answer token) and the position id of each input token. Shorter sequences are right-padded (mask 0).
 */
public record Batch(int B, int T, int[] tokens, int[] targets, float[] mask, int[] positions) {
    public Batch {
        int n = B * T;
        if (tokens.length != n || targets.length != n || mask.length != n || positions.length != n) {
            throw new IllegalArgumentException("batch arrays must all hold B*T = " + n + " entries");
        }
    }

    /** Number of target tokens that count in the loss. */
    public double maskSum() {
        double s = 0;
        for (float m : mask) {
            s += m;
        }
        return s;
    }
}

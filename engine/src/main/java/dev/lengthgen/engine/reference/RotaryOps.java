package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/**
 * Rotary position embedding on the q and k channels of qkv (B,T,3C), by explicit position ids. hs = C / NH is even;
 * in each head channel pairs (2i, 2i+1) are rotated by the angle posIds[n] * base^(-2i/hs) (interleaved pairs, as
 * RoFormer and GPT-J). The rotation is orthogonal, so the backward pass applies its transpose, the rotation by -angle.
 */
final class RotaryOps {
    private RotaryOps() {
    }

    /** out (B,T,3C) written = R(pos) q, R(pos) k, v from qkv (B,T,3C); posIds I32 (B*T). out may be qkv. */
    static void forward(View out, View qkv, View posIds, float base, int B, int T, int C, int NH) {
        int N = B * T;
        apply(ReferenceBackend.f(out), (int) out.offset(), ReferenceBackend.f(qkv), (int) qkv.offset(),
                ReferenceBackend.i(posIds), (int) posIds.offset(), base, N, C, NH, false);
    }

    /** dqkv (B,T,3C) += R(pos)^T dout for q and k, += dout for v; dout (B,T,3C). */
    static void backward(View dqkv, View dout, View posIds, float base, int B, int T, int C, int NH) {
        int N = B * T;
        apply(ReferenceBackend.f(dqkv), (int) dqkv.offset(), ReferenceBackend.f(dout), (int) dout.offset(),
                ReferenceBackend.i(posIds), (int) posIds.offset(), base, N, C, NH, true);
    }

    /** The angle of pair i at position pos: pos * base^(-2i/hs), in double. */
    static double angle(int pos, int i, int hs, float base) {
        return pos * StrictMath.pow(base, -2.0 * i / hs);
    }

    /** dst = R x (forward) or dst += R^T x (backward), per token n, head h, pair i; v rows copied or added. */
    private static void apply(double[] dst, int dstO, double[] x, int xO, int[] pos, int posO, float base, int N,
                              int C, int NH, boolean transposeAndAccumulate) {
        int hs = C / NH, C3 = 3 * C;
        for (int n = 0; n < N; n++) {
            int row = n * C3;
            for (int i = 0; i < hs / 2; i++) {
                double a = angle(pos[posO + n], i, hs, base);
                double cos = StrictMath.cos(a), sin = transposeAndAccumulate ? -StrictMath.sin(a) : StrictMath.sin(a);
                for (int h = 0; h < NH; h++) {
                    for (int part = 0; part < 2; part++) {   // q, then k
                        int c = row + part * C + h * hs + 2 * i;
                        double x0 = x[xO + c], x1 = x[xO + c + 1];
                        double y0 = x0 * cos - x1 * sin, y1 = x0 * sin + x1 * cos;
                        if (transposeAndAccumulate) {
                            dst[dstO + c] += y0;
                            dst[dstO + c + 1] += y1;
                        } else {
                            dst[dstO + c] = y0;
                            dst[dstO + c + 1] = y1;
                        }
                    }
                }
            }
            for (int c = row + 2 * C; c < row + C3; c++) {
                dst[dstO + c] = transposeAndAccumulate ? dst[dstO + c] + x[xO + c] : x[xO + c];
            }
        }
    }
}

package dev.lengthgen.tests.cpu;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.Backends;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.Memory;
import dev.lengthgen.engine.View;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cpu backend's GEMM through the three products of a linear layer, each a different transpose:
 * forward out = inp . W^T, backward dinp += dout . W and dweight += dout^T . inp, against plain double-precision
 * loops, at shapes that are not multiples of any tile (1, 7, 33, 129, ...) and at shapes that cross the blocking
 * (K deeper than one packed slab, OC wider than one packed panel), on 1 and 3 threads.
 */
class CpuGemmTest {

    static Stream<Arguments> shapes() {
        int[][] shapes = {
                {1, 1, 1}, {1, 7, 33}, {7, 1, 129}, {33, 129, 7}, {129, 33, 1}, {7, 33, 129}, {65, 48, 16},
                {13, 17, 19}, {130, 128, 384}, {97, 600, 33}, {40, 300, 1100}, {600, 33, 70},
        };
        List<Arguments> out = new ArrayList<>();
        for (int threads : new int[]{1, 3}) {
            for (int[] s : shapes) {
                out.add(Arguments.of(threads, s[0], s[1], s[2], true));
                out.add(Arguments.of(threads, s[0], s[1], s[2], false));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "threads {0}: N {1} C {2} OC {3} bias {4}")
    @MethodSource("shapes")
    void linearLayerMatchesPlainLoops(int threads, int N, int C, int OC, boolean withBias) {
        Random rng = new Random(31L * N + 7L * C + OC);
        float[] inp = random(rng, N * C);
        float[] w = random(rng, OC * C);
        float[] bias = random(rng, OC);
        float[] dout = random(rng, N * OC);
        float[] dinp0 = random(rng, N * C);
        float[] dw0 = random(rng, OC * C);
        float[] db0 = random(rng, OC);

        // plain loops in double
        double[] out = new double[N * OC];
        double[] dinp = toDouble(dinp0);
        double[] dw = toDouble(dw0);
        double[] db = toDouble(db0);
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < OC; o++) {
                double s = withBias ? bias[o] : 0;
                for (int c = 0; c < C; c++) {
                    s += (double) inp[n * C + c] * w[o * C + c];
                }
                out[n * OC + o] = s;
            }
        }
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < OC; o++) {
                double g = dout[n * OC + o];
                for (int c = 0; c < C; c++) {
                    dinp[n * C + c] += g * w[o * C + c];
                    dw[o * C + c] += g * inp[n * C + c];
                }
                db[o] += g;
            }
        }

        try (Backend cpu = Backends.open("cpu", null, threads)) {
            View vInp = put(cpu, inp), vW = put(cpu, w), vBias = put(cpu, bias), vDout = put(cpu, dout);
            View vOut = cpu.allocate(DType.F32, (long) N * OC, "out").view();
            View vDinp = put(cpu, dinp0), vDw = put(cpu, dw0), vDb = put(cpu, db0);
            cpu.matmulForward(vOut, vInp, vW, withBias ? vBias : null, N, C, OC);
            cpu.matmulBackward(vDinp, vDw, withBias ? vDb : null, vDout, vInp, vW, N, C, OC);
            assertClose("out", out, get(cpu, vOut), C);
            assertClose("dinp", dinp, get(cpu, vDinp), OC);
            assertClose("dweight", dw, get(cpu, vDw), N);
            if (withBias) {
                assertClose("dbias", db, get(cpu, vDb), N);
            }
        }
    }

    /** fp32 sums of k products of values in [-1, 1): error grows like sqrt(k) ulp; allow k * 2^-22 absolute. */
    static void assertClose(String what, double[] want, float[] got, int k) {
        double tol = 1e-6 + Math.max(1, k) * 0x1p-22;
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            int index = i;
            assertTrue(err <= tol + 1e-5 * Math.abs(want[i]),
                    () -> what + "[" + index + "] = " + got[index] + ", want " + want[index] + " (error " + err + ")");
        }
    }

    static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextFloat() * 2 - 1;
        }
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** Uploads into a fresh allocation, at an offset, so that views with offsets are exercised. */
    static View put(Backend b, float[] data) {
        Memory m = b.allocate(DType.F32, data.length + 3L, "t");
        View v = m.view(3, data.length);
        b.upload(v, data);
        return v;
    }

    static float[] get(Backend b, View v) {
        float[] out = new float[(int) v.length()];
        b.download(v, out);
        return out;
    }
}

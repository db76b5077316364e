package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.BackendUnavailableException;
import dev.lengthgen.engine.DType;
import dev.lengthgen.engine.DropoutKey;
import dev.lengthgen.engine.View;
import dev.lengthgen.engine.graph.ExecutionPlan;
import dev.lengthgen.engine.graph.Profile;
import dev.lengthgen.engine.graph.TaskGraph;
import dev.lengthgen.engine.opencl.DeviceMemoryException;
import dev.lengthgen.engine.opencl.KernelBuildException;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.opencl.OpenClDevice;
import dev.lengthgen.engine.opencl.OpenClPlatforms;
import dev.lengthgen.engine.random.DropoutMask;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.tests.ops.OpCatalog;
import dev.lengthgen.tests.ops.ParityCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What is particular to the OpenCL backend: device discovery and selection, kernel build errors, the dropout mask
 * against {@link DropoutMask}, bit-for-bit determinism, per-task profiling, the allocation limit, and op parity of
 * the kernel variant the device would not choose by itself (so both variants are tested on every machine; the
 * chosen one runs in {@link dev.lengthgen.tests.ops.BackendParityTest}).
 */
class OpenClBackendTest {

    @Test
    void discoversDevicesWithTheirProperties() {
        OpenClDevice chosen = OpenClAvailability.device();
        List<OpenClDevice> all = OpenClPlatforms.devices();
        assertFalse(all.isEmpty());
        for (int i = 0; i < all.size(); i++) {
            OpenClDevice d = all.get(i);
            assertEquals(i, d.index(), "selection indices count up from 0");
            assertFalse(d.name().isBlank());
            assertFalse(d.platformName().isBlank());
            assertTrue(d.computeUnits() > 0, d.summary());
            assertTrue(d.globalMemoryBytes() > 0, d.summary());
            assertTrue(d.maxAllocationBytes() > 0 && d.maxAllocationBytes() <= d.globalMemoryBytes(), d.summary());
            assertTrue(d.openClVersion().startsWith("OpenCL "), d.openClVersion());
        }
        assertEquals(chosen.index(), OpenClPlatforms.select(Integer.toString(chosen.index())).index());
        String word = chosen.name().split("[^A-Za-z0-9]+")[0].toUpperCase();
        assertEquals(chosen.platformIndex(), OpenClPlatforms.select(word.isEmpty() ? "0" : word).platformIndex());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> OpenClPlatforms.select("no-such-device-anywhere"));
        assertTrue(e.getMessage().contains("lengthgen devices"), e.getMessage());
        assertThrows(BackendUnavailableException.class, () -> OpenClPlatforms.select(Integer.toString(all.size())));
    }

    @Test
    void kernelBuildErrorsCarryTheDriversLog() {
        try (OpenClBackend backend = OpenClAvailability.open()) {
            backend.compile("fine", "__kernel void ok(__global float* x) { x[get_global_id(0)] = 1.0f; }");
            KernelBuildException e = assertThrows(KernelBuildException.class, () -> backend.compile("broken",
                    "__kernel void bad(__global float* x) {\n    x[0] = undeclared_thing;\n}\n"));
            assertFalse(e.buildLog().isBlank(), "the driver's build log is attached");
            assertTrue(e.getMessage().contains("undeclared_thing"), e.getMessage());
            assertTrue(e.getMessage().contains("broken"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(KernelVariant.class)
    void dropoutMaskIsBitIdenticalToDropoutMask(KernelVariant variant) {
        int n = 100_003;
        try (OpenClBackend backend = OpenClAvailability.open(variant)) {
            View ones = backend.allocate(DType.F32, n, "ones").view();
            backend.fill(ones, 1f);
            View out = backend.allocate(DType.F32, n, "out").view();
            View grad = backend.allocate(DType.F32, n, "grad").view();
            float[] got = new float[n];
            DropoutKey[] keys = {DropoutKey.of(0, 1, 0), DropoutKey.of(1234567L, 1, 3),
                    DropoutKey.of(0xDEADBEEFCAFEL, (1L << 33) + 7, 17), DropoutKey.of(-1L, Long.MAX_VALUE, 255)};
            for (DropoutKey key : keys) {
                for (float p : new float[] {0.1f, 0.2f, 0.5f, 0.9f}) {
                    float scale = (float) (1.0 / (1.0 - p));
                    backend.dropoutForward(out, ones, p, key, n);
                    backend.download(out, got);
                    int kept = 0;
                    for (int i = 0; i < n; i++) {
                        boolean keep = DropoutMask.keep(key, i, p);
                        if (got[i] != (keep ? scale : 0f)) {
                            fail("dropout forward " + key + " p=" + p + " element " + i + ": got " + got[i]
                                    + ", DropoutMask says " + (keep ? "keep" : "drop"));
                        }
                        kept += keep ? 1 : 0;
                    }
                    assertEquals(1 - p, kept / (double) n, 0.01, "keep rate");
                    // the backward pass applies the same mask
                    backend.zero(grad);
                    backend.dropoutBackward(grad, ones, p, key, n);
                    float[] back = new float[n];
                    backend.download(grad, back);
                    assertArrayEquals(got, back, "dropout backward mask " + key + " p=" + p);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KernelVariant.class)
    void sameOpsTwiceGiveTheSameBits(KernelVariant variant) {
        try (OpenClBackend backend = OpenClAvailability.open(variant)) {
            float[] first = runOpSequence(backend);
            float[] second = runOpSequence(backend);
            for (int i = 0; i < first.length; i++) {
                if (Float.floatToRawIntBits(first[i]) != Float.floatToRawIntBits(second[i])) {
                    fail("run 2 differs from run 1 at output element " + i + ": " + first[i] + " vs " + second[i]);
                }
            }
        }
    }

    /** Forward and backward of the ops with reductions, from fixed inputs; returns every output concatenated. */
    private static float[] runOpSequence(OpenClBackend be) {
        int B = 3, T = 35, C = 48, NH = 3, V = 16, N = B * T, OC = 4 * C;
        SplittableRandom r = new SplittableRandom(42);
        View x = input(be, r, N * C), w = input(be, r, OC * C), bias = input(be, r, OC);
        View lnw = input(be, r, C), lnb = input(be, r, C), wte = input(be, r, V * C), wpe = input(be, r, T * C);
        View qkvw = input(be, r, 3 * C * C), logitsW = input(be, r, V * C);
        View h = zeros(be, N * OC), dh = input(be, r, N * OC), dx = zeros(be, N * C), dw = zeros(be, OC * C);
        View db = zeros(be, OC), ln = zeros(be, N * C), mean = zeros(be, N), rstd = zeros(be, N);
        View dlnw = zeros(be, C), dlnb = zeros(be, C), qkv = zeros(be, 3 * N * C), att = zeros(be, B * NH * T * T);
        View preatt = zeros(be, B * NH * T * T), y = zeros(be, N * C), dqkv = zeros(be, 3 * N * C);
        View dpre = zeros(be, B * NH * T * T), datt = zeros(be, B * NH * T * T), logits = zeros(be, N * V);
        View losses = zeros(be, N), dlogits = zeros(be, N * V), sum = zeros(be, 2), dwte = zeros(be, V * C);
        View dwpe = zeros(be, T * C);
        int[] tokens = new int[N], pos = new int[N];
        float[] mask = new float[N];
        for (int i = 0; i < N; i++) {
            tokens[i] = r.nextInt(V);
            pos[i] = i % T;
            mask[i] = i % 3 == 0 ? 0 : 1;
        }
        View tok = be.allocate(DType.I32, N, "tokens").view(), pid = be.allocate(DType.I32, N, "pos").view();
        View msk = be.allocate(DType.F32, N, "mask").view();
        be.upload(tok, tokens);
        be.upload(pid, pos);
        be.upload(msk, mask);

        be.encoderForward(ln, tok, pid, wte, wpe, N, C);
        be.layernormForward(ln, mean, rstd, x, lnw, lnb, N, C);
        be.matmulForward(h, ln, w, bias, N, C, OC);
        be.matmulBackward(dx, dw, db, dh, ln, w, N, C, OC);
        be.layernormBackward(dx, dlnw, dlnb, dx, x, lnw, mean, rstd, N, C);
        be.matmulForward(qkv, ln, qkvw, null, N, C, 3 * C);
        be.attentionForward(y, preatt, att, qkv, null, B, T, C, NH);
        be.attentionBackward(dqkv, dpre, datt, null, dx, qkv, att, B, T, C, NH);
        be.matmulForward(logits, y, logitsW, null, N, C, V);
        be.crossEntropyForward(losses, dlogits, logits, tok, msk, 1f / N, N, V);
        be.encoderBackward(dwte, dwpe, dx, tok, pid, N, C);
        be.sum(sum.slice(0, 1), losses, N);
        be.sumOfSquares(sum.slice(1, 1), dw, OC * C);
        // relative position schemes: rotary q/k in place, and a bucket bias whose table gradient is a scatter-add
        int K = 7;
        int[] bucketIds = new int[T * T];
        for (int i = 0; i < bucketIds.length; i++) {
            bucketIds[i] = r.nextInt(K);
        }
        View buckets = be.allocate(DType.I32, T * T, "buckets").view();
        be.upload(buckets, bucketIds);
        View table = input(be, r, NH * K), dtable = zeros(be, NH * K), attBias = zeros(be, NH * T * T);
        be.rotaryForward(qkv, qkv, pid, 10000f, B, T, C, NH);
        be.rotaryBackward(dqkv, qkv, pid, 10000f, B, T, C, NH);
        be.bucketBiasForward(attBias, table, buckets, NH, T, K);
        be.bucketBiasBackward(dtable, dpre.slice(0, NH * T * T), buckets, NH, T, K);

        List<View> outputs = List.of(h, dx, dw, db, dlnw, dlnb, qkv, att, y, dqkv, dpre, logits, losses, dlogits,
                sum, dwte, dwpe, attBias, dtable);
        int total = outputs.stream().mapToInt(v -> (int) v.length()).sum();
        float[] all = new float[total];
        int at = 0;
        for (View v : outputs) {
            float[] part = new float[(int) v.length()];
            be.download(v, part);
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static View input(OpenClBackend be, SplittableRandom r, int n) {
        float[] host = new float[n];
        for (int i = 0; i < n; i++) {
            host[i] = (float) (r.nextDouble() * 2 - 1);
        }
        View v = be.allocate(DType.F32, n, "input").view();
        be.upload(v, host);
        return v;
    }

    private static View zeros(OpenClBackend be, int n) {
        return be.allocate(DType.F32, n, "output").view();
    }

    @Test
    void profilingAttributesKernelTimeToTasks() {
        try (OpenClBackend be = OpenClAvailability.open()) {
            int N = 256, C = 128, OC = 256;
            View x = be.allocate(DType.F32, (long) N * C, "x").view();
            View w = be.allocate(DType.F32, (long) OC * C, "w").view();
            View h = be.allocate(DType.F32, (long) N * OC, "h").view();
            View g = be.allocate(DType.F32, (long) N * OC, "g").view();
            be.fill(x, 0.5f);
            be.fill(w, 0.25f);
            TaskGraph graph = new TaskGraph("profiled")
                    .task("first.matmul", 2.0 * N * C * OC, 0, () -> {
                        be.matmulForward(h, x, w, null, N, C, OC);
                        be.matmulForward(h, x, w, null, N, C, OC);
                    })
                    .task("second.gelu", () -> be.geluForward(g, h, N * OC));
            ExecutionPlan plan = graph.plan(be);
            plan.execute();   // unprofiled: records nothing
            be.finish();
            assertTrue(be.profile().entries().isEmpty());

            be.setProfiling(true);
            plan.execute();
            plan.execute();
            plan.execute();
            Profile p = be.profile();
            be.setProfiling(false);
            List<Profile.Entry> entries = p.entries();
            assertEquals(List.of("first.matmul", "second.gelu"), entries.stream().map(Profile.Entry::task).toList());
            for (Profile.Entry e : entries) {
                assertEquals(3, e.calls(), e.task());
                assertTrue(e.nanos() > 0, e.task() + " has device time");
            }
            assertTrue(entries.get(0).nanos() > entries.get(1).nanos(),
                    "two GEMMs of 16.8 MFLOP take longer than one GELU over 65536 floats: " + entries);
            be.resetProfile();
            assertTrue(be.profile().entries().isEmpty());
        }
    }

    @Test
    void allocationOverTheDeviceLimitSaysWhatToReduce() {
        try (OpenClBackend be = OpenClAvailability.open()) {
            long tooMany = be.maxAllocationBytes() / 4 + 1;
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                    () -> be.allocate(DType.F32, tooMany, "activations"));
            assertTrue(e.getMessage().contains("activations"), e.getMessage());
            assertTrue(e.getMessage().contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE"), e.getMessage());
            assertTrue(e.getMessage().contains("reduce the batch size"), e.getMessage());
        }
    }

    @Test
    void fillAndCopyHandleOffsets() {
        try (OpenClBackend be = OpenClAvailability.open()) {
            View all = be.allocate(DType.F32, 40, "all").view();
            be.fill(all.slice(3, 10), 2.5f);
            be.copy(all.slice(21, 10), all.slice(3, 10));
            float[] got = new float[40];
            be.download(all, got);
            for (int i = 0; i < 40; i++) {
                boolean set = (i >= 3 && i < 13) || (i >= 21 && i < 31);
                assertEquals(set ? 2.5f : 0f, got[i], "element " + i);
            }
            View ints = be.allocate(DType.I32, 9, "ints").view();
            be.fill(ints.slice(1, 7), -3);
            int[] gi = new int[9];
            be.download(ints, gi);
            assertArrayEquals(new int[] {0, -3, -3, -3, -3, -3, -3, -3, 0}, gi);
        }
    }

    /** Parity of the variant this device would not pick by itself: each variant must pass on every device. */
    @Test
    void otherKernelVariantMatchesReference() {
        OpenClDevice d = OpenClAvailability.device();
        KernelVariant other = KernelVariant.forDevice(d.type()) == KernelVariant.GPU ? KernelVariant.CPU
                : KernelVariant.GPU;
        try (OpenClBackend backend = new OpenClBackend(d, other); ReferenceBackend reference = new ReferenceBackend()) {
            System.out.println("parity: " + backend.describe());
            ParityCheck.Report report = ParityCheck.run(backend, reference, OpCatalog.selected(OpCatalog.all()));
            report.opLines().forEach(System.out::println);
            if (!report.failures().isEmpty()) {
                fail(report.failureMessage());
            }
        }
    }
}

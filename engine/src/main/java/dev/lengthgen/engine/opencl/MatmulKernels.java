package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * Launches matmul.cl: the three products of a linear layer as one strided GEMM, c (M,N) [+]= a (M,K) . b (K,N)
 * [+ bias], in the variant chosen once per backend: tiles staged through local memory (GPU) or packed panels and a
 * register block per work-item (CPU). Both sum every output over k in ascending order, so tile and block sizes do
 * not change a result. The bias gradient is a column sum in fixed chunks of rows.
 */
abstract class MatmulKernels {
    final KernelLauncher launcher;
    private final CommonKernels common;

    private MatmulKernels(KernelLauncher launcher, CommonKernels common) {
        this.launcher = launcher;
        this.common = common;
    }

    static MatmulKernels of(KernelVariant variant, KernelLauncher launcher, CommonKernels common) {
        return variant == KernelVariant.GPU ? new Tiled(launcher, common) : new Rowblock(launcher, common);
    }

    /** c (M,N) [+]= a (M,K) . b (K,N) [+ bias (N)], a and b given by element strides (see matmul.cl). */
    abstract void gemm(View c, View a, int aSm, int aSk, View b, int bSk, int bSn, View bias, boolean accumulate,
                       int M, int N, int K);

    /** out (N,OC) = inp (N,C) . weight (OC,C)^T [+ bias]. */
    void forward(View out, View inp, View weight, View bias, int N, int C, int OC) {
        if (N > 0) {
            gemm(out, inp, C, 1, weight, 1, C, bias, false, N, OC, C);
        }
    }

    void backward(View dinp, View dweight, View dbias, View dout, View inp, View weight, int N, int C, int OC) {
        if (N == 0) {
            return;
        }
        // dinp (N,C) += dout (N,OC) . W (OC,C)
        gemm(dinp, dout, OC, 1, weight, C, 1, null, true, N, C, OC);
        // dweight (OC,C) += dout^T (OC,N) . inp (N,C)
        gemm(dweight, dout, 1, OC, inp, C, 1, null, true, OC, C, N);
        if (dbias != null) {
            int chunks = (N + KernelBuildOptions.COLSUM_ROWS - 1) / KernelBuildOptions.COLSUM_ROWS;
            cl_mem partials = launcher.scratch("colsum", (long) chunks * OC * Sizeof.cl_float);
            launcher.call(Kernel.MATMUL_BIAS_PARTIALS).buffer(partials).view(dout).intArg(N).intArg(OC)
                    .runColumns(OC, chunks, 64);
            common.columnAccumulate(dbias, partials, 0, chunks, OC);
        }
    }

    /** GPU variant: gemm_tiled, a work-group per TS x TS tile of c. */
    private static final class Tiled extends MatmulKernels {
        /** The build used, with a tile that the kernel itself accepts (resolved on first use). */
        private KernelBuildOptions options;
        private int tile;

        Tiled(KernelLauncher launcher, CommonKernels common) {
            super(launcher, common);
        }

        @Override
        void gemm(View c, View a, int aSm, int aSk, View b, int bSk, int bSn, View bias, boolean accumulate, int M,
                  int N, int K) {
            KernelCall k = launcher.call(Kernel.GEMM_TILED, options());
            int side = tile / KernelBuildOptions.WORK_PER_THREAD;
            k.view(c).view(a).intArg(aSm).intArg(aSk).view(b).intArg(bSk).intArg(bSn).view(bias).flag(bias != null)
                    .flag(accumulate).intArg(M).intArg(N).intArg(K)
                    .run(new long[] {(long) ((N + tile - 1) / tile) * side, (long) ((M + tile - 1) / tile) * side},
                            new long[] {side, side});
        }

        /**
         * The device's tile, or a smaller one where the compiled kernel runs fewer work-items than the device's
         * maximum (CL_KERNEL_WORK_GROUP_SIZE, known only after the build).
         */
        private KernelBuildOptions options() {
            if (options == null) {
                KernelBuildOptions.GemmBlocking gemm = launcher.gemm();
                int t = gemm.tile();
                KernelBuildOptions o = launcher.options(KernelFamily.MATMUL);
                long accepted = launcher.groupLimit(launcher.call(Kernel.GEMM_TILED, o).kernel());
                while (KernelBuildOptions.GemmBlocking.groupSize(t) > accepted) {
                    t = KernelBuildOptions.GemmBlocking.largestTile(launcher.limits().lowered(accepted,
                            Long.MAX_VALUE), t / 2);
                    o = KernelBuildOptions.of(KernelFamily.MATMUL, new KernelBuildOptions.GemmBlocking(t,
                            gemm.rowBlock(), gemm.columnVectors()));
                    accepted = launcher.groupLimit(launcher.call(Kernel.GEMM_TILED, o).kernel());
                }
                tile = t;
                options = o;
            }
            return options;
        }
    }

    /** CPU variant: a and b packed into panels, then gemm_rowblock, an RB x CB block of c per work-item. */
    private static final class Rowblock extends MatmulKernels {
        Rowblock(KernelLauncher launcher, CommonKernels common) {
            super(launcher, common);
        }

        @Override
        void gemm(View c, View a, int aSm, int aSk, View b, int bSk, int bSn, View bias, boolean accumulate, int M,
                  int N, int K) {
            int rowBlock = launcher.gemm().rowBlock();
            int columnBlock = 16 * launcher.gemm().columnVectors();
            long rowPanels = (M + rowBlock - 1) / rowBlock;
            long colPanels = (N + columnBlock - 1) / columnBlock;
            cl_mem ap = launcher.scratch("gemm.a", rowPanels * rowBlock * K * Sizeof.cl_float);
            cl_mem bp = launcher.scratch("gemm.b", colPanels * columnBlock * K * Sizeof.cl_float);
            pack(Kernel.PACK_ROW_PANELS, ap, a, aSk, aSm, K, M, rowBlock);
            pack(Kernel.PACK_COLUMN_PANELS, bp, b, bSk, bSn, K, N, columnBlock);
            launcher.call(Kernel.GEMM_ROWBLOCK).view(c).buffer(ap).buffer(bp).view(bias).flag(bias != null)
                    .flag(accumulate).intArg(M).intArg(N).intArg(K).run(new long[] {rowPanels, colPanels}, null);
        }

        /** Packs src (K,N), given by strides, into panels of {@code width} rows or columns (matmul.cl). */
        private void pack(Kernel kernel, cl_mem dst, View src, int sK, int sN, int K, int N, int width) {
            launcher.call(kernel).buffer(dst).view(src).intArg(sK).intArg(sN).intArg(K).intArg(N)
                    .run(new long[] {K, (N + width - 1) / width}, null);
        }
    }
}

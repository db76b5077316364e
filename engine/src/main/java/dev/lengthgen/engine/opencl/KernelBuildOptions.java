package dev.lengthgen.engine.opencl;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiler options of one build of a kernel family: the OpenCL C version and the -D constants the family's
 * source reads. This is the one place they are defined: the backend builds with them, and the cross-compilation
 * check (tests module) compiles every build {@link #everyBuild()} lists, for NVIDIA's and AMD's targets.
 *
 * <p>Constants by family: matmul.cl reads the GEMM blocking (TS, TK, WPT for gemm_tiled; RB, CV for gemm_rowblock)
 * and COLSUM_ROWS; layernorm.cl reads COLSUM_ROWS; loss.cl reads REDUCE_CHUNK; attention.cl and decode.cl read the
 * head size (HS, HV) in builds for the CPU variant's kernels, one build per head size. The host computes partial
 * counts with the same constants, so the two can never disagree.
 */
public record KernelBuildOptions(KernelFamily family, List<Define> defines) {

    /** OpenCL C 1.2: what every conforming device compiles, NVIDIA's included. */
    public static final String LANGUAGE = "-cl-std=CL1.2";
    /** gemm_tiled: k depth per local-memory stage. */
    public static final int TILE_K = 16;
    /** gemm_tiled: outputs per work-item per dimension, so a work-group is (TS/WPT)^2 work-items. */
    public static final int WORK_PER_THREAD = 4;
    /** gemm_tiled output tiles, largest first; the largest that fits the device's limits is used. */
    public static final int[] TILES = {64, 32, 16};
    /** Rows per partial of a column sum (layernorm's dweight/dbias, matmul's dbias). */
    public static final int COLSUM_ROWS = 64;
    /** Elements per first-stage partial of sum and sumOfSquares. */
    public static final int REDUCE_CHUNK = 4096;
    /** Head sizes whose builds {@link #everyBuild()} lists: every vector width HV (16, 8, 4, 1) and unroll depth. */
    static final int[] CHECKED_HEAD_SIZES = {16, 32, 64, 24, 12, 10};

    /** One -D constant. */
    public record Define(String name, int value) {
        @Override
        public String toString() {
            return "-D" + name + "=" + value;
        }
    }

    /**
     * The GEMM blocking of a device: gemm_tiled's output tile TS (GPU variant) and gemm_rowblock's register block,
     * RB rows by CV float16 vectors (CPU variant).
     */
    public record GemmBlocking(int tile, int rowBlock, int columnVectors) {

        /**
         * The largest tile whose work-group ((TS/WPT)^2 work-items) and local memory (two TK x (TS+1) float
         * stages) fit the limits, and the register block for the device's native vector width: with 16-float
         * vectors (AVX-512: 32 registers) 8 x 2 float16 accumulators leave room for the operands; with 8-float
         * vectors (AVX2: 16 registers, a float16 taking two) 6 x 1 do.
         */
        public static GemmBlocking forDevice(DeviceLimits limits) {
            int nativeFloats = limits.nativeFloatWidth();
            return new GemmBlocking(largestTile(limits, TILES[0]), nativeFloats >= 16 ? 8 : 6,
                    nativeFloats >= 16 ? 2 : 1);
        }

        /** The largest tile no larger than {@code atMost} that fits the limits. */
        static int largestTile(DeviceLimits limits, int atMost) {
            for (int tile : TILES) {
                if (tile <= atMost && tileFits(tile, limits.maxWorkGroupSize(), limits.localMemoryBytes())) {
                    return tile;
                }
            }
            throw new IllegalStateException("gemm_tiled does not fit the device: even a " + TILES[TILES.length - 1]
                    + "-wide tile needs " + groupSize(TILES[TILES.length - 1]) + " work-items and "
                    + localBytes(TILES[TILES.length - 1]) + " bytes of local memory; " + limits
                    + " (use the CPU kernels: -D" + KernelVariant.PROPERTY + "=cpu)");
        }

        static boolean tileFits(int tile, long maxWorkGroup, long localMemory) {
            return groupSize(tile) <= maxWorkGroup && localBytes(tile) <= localMemory;
        }

        /** Work-items of a gemm_tiled work-group of this tile. */
        public static int groupSize(int tile) {
            int side = tile / WORK_PER_THREAD;
            return side * side;
        }

        /** Local memory of gemm_tiled at this tile: two TK x (TS + 1) float stages. */
        public static long localBytes(int tile) {
            return 2L * TILE_K * (tile + 1) * Float.BYTES;
        }
    }

    /** The build of {@code family} with the constants it reads ({@code gemm} only matters to matmul). */
    public static KernelBuildOptions of(KernelFamily family, GemmBlocking gemm) {
        List<Define> d = new ArrayList<>();
        switch (family) {
            case MATMUL -> {
                d.add(new Define("TS", gemm.tile()));
                d.add(new Define("TK", TILE_K));
                d.add(new Define("WPT", WORK_PER_THREAD));
                d.add(new Define("RB", gemm.rowBlock()));
                d.add(new Define("CV", gemm.columnVectors()));
                d.add(new Define("COLSUM_ROWS", COLSUM_ROWS));
            }
            case LAYERNORM -> d.add(new Define("COLSUM_ROWS", COLSUM_ROWS));
            case LOSS -> d.add(new Define("REDUCE_CHUNK", REDUCE_CHUNK));
            default -> {
            }
        }
        return new KernelBuildOptions(family, List.copyOf(d));
    }

    /**
     * This build with a head size: HS = hs and HV the widest of 16, 8, 4 and 1 floats that divides it, the vector
     * the CPU attention kernels hold a head in (common.cl). Only attention.cl and decode.cl read them.
     */
    public KernelBuildOptions forHeads(int headSize) {
        if (family != KernelFamily.ATTENTION && family != KernelFamily.DECODE) {
            throw new IllegalArgumentException(family + " has no kernels built per head size");
        }
        int width = headSize % 16 == 0 ? 16 : headSize % 8 == 0 ? 8 : headSize % 4 == 0 ? 4 : 1;
        List<Define> d = new ArrayList<>(defines);
        d.add(new Define("HS", headSize));
        d.add(new Define("HV", width));
        return new KernelBuildOptions(family, List.copyOf(d));
    }

    /** The options as a compiler takes them, e.g. "-cl-std=CL1.2 -DREDUCE_CHUNK=4096". */
    public String compilerOptions() {
        StringBuilder b = new StringBuilder(LANGUAGE);
        for (Define d : defines) {
            b.append(' ').append(d);
        }
        return b.toString();
    }

    /**
     * Every build the backend can make: each family with the constants it reads, the GEMM at every tile and both
     * register blocks, attention and decode without a head size (GPU variant) and at head sizes covering every
     * vector width (CPU variant).
     */
    public static List<KernelBuildOptions> everyBuild() {
        List<KernelBuildOptions> all = new ArrayList<>();
        for (KernelFamily f : KernelFamily.values()) {
            if (f == KernelFamily.MATMUL) {
                for (int tile : TILES) {
                    all.add(of(f, new GemmBlocking(tile, 8, 2)));
                    all.add(of(f, new GemmBlocking(tile, 6, 1)));
                }
            } else {
                KernelBuildOptions base = of(f, null);
                all.add(base);
                if (f == KernelFamily.ATTENTION || f == KernelFamily.DECODE) {
                    for (int hs : CHECKED_HEAD_SIZES) {
                        all.add(base.forHeads(hs));
                    }
                }
            }
        }
        return all;
    }

    @Override
    public String toString() {
        return family.fileName() + ".cl " + compilerOptions();
    }
}

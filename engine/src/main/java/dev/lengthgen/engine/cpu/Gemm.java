package dev.lengthgen.engine.cpu;

import java.util.Arrays;

import static dev.lengthgen.engine.cpu.GemmKernels.MR;
import static dev.lengthgen.engine.cpu.GemmKernels.NR;

/**
 * C (M,N) = or += A (M,K) . B (K,N) on the worker pool, for any layout of A and B: element (i,k) of A is
 * {@code a[aOff + i*aRow + k*aCol]} and element (k,j) of B is {@code b[bOff + k*bRow + j*bCol]}, so one routine
 * serves every transpose a linear layer needs:
 * <pre>
 * forward  out (N,OC)     = inp (N,C) . W^T    A = inp  (aRow C, aCol 1)   B = W^T (bRow 1, bCol C)
 * backward dinp (N,C)    += dout (N,OC) . W    A = dout (aRow OC, aCol 1)  B = W   (bRow C, bCol 1)
 * backward dweight (OC,C) += dout^T . inp      A = dout^T (aRow 1, aCol OC) B = inp (bRow C, bCol 1)
 * </pre>
 * Goto/BLIS blocking: for each KC-deep slab of K (the first one storing its products when C is overwritten, the
 * later ones adding to them), a worker packs B into NR-wide slivers ([k][NR], contiguous, so the
 * micro-kernel streams it with one vector load per vector of the tile and k), then sweeps MC-row blocks of A (kept
 * in L2 while every sliver of the panel passes over them) in MR x NR tiles. Packing B is what makes the transposed
 * weight (W^T) as fast as a plain matrix. A is read in place by the kernels ({@link GemmKernels}) when it is
 * row-major or transposed; only partial edge tiles and other layouts copy an A sliver into a zero-padded scratch.
 * (The scratch for a row-major sliver is MR x kc, so edgeA holds KC * MR floats either way.)
 *
 * <p>Work is split by rows of C (or by columns when C is wide and short) into one contiguous range per worker. Every
 * element of C is summed in the same order (k ascending within a slab, slabs ascending) whatever the split, so the
 * result does not depend on the thread count.
 *
 * <p>Plain loop (what this computes):
 * <pre>
 * for (i..M) for (j..N) { float s = 0; for (k..K) s += A(i,k) * B(k,j); C(i,j) = (accumulate ? C(i,j) : 0) + s; }
 * </pre>
 */
final class Gemm implements WorkerPool.Job {
    /** Depth of a K slab: a packed B sliver (KC x NR floats) stays in L1/L2 while the kernel runs down an A block. */
    static final int KC = 256;
    /** Rows of an A block, reused from L2 by every B sliver of the panel. */
    static final int MC = 32 * MR;
    /** Columns of a packed B panel (KC x NC floats, L2-sized). */
    static final int NC = 1024;
    /** Row stride (floats) of a transposed B from which its rows, read side by side, alias in L1 (1 KB). */
    static final int ALIASED_STRIDE = 256;

    private final WorkerPool pool;
    private final float[][] packedB;
    private final float[][] edgeA;
    private final float[][] edgeTile;

    // the call in flight (fields rather than a lambda so that a call allocates nothing)
    private int m, n, k;
    private float[] a, b, c;
    private int aOff, aRow, aCol, bOff, bRow, bCol, cOff, ldc;
    private boolean accumulate;

    private final int kcBlock, mcBlock, ncBlock;

    Gemm(WorkerPool pool) {
        this(pool, KC, MC, NC);
    }

    /** With other block sizes (for tuning experiments). */
    Gemm(WorkerPool pool, int kcBlock, int mcBlock, int ncBlock) {
        this.pool = pool;
        this.kcBlock = kcBlock;
        this.mcBlock = mcBlock;
        this.ncBlock = ncBlock;
        int w = pool.workers();
        packedB = new float[w][kcBlock * ncBlock];
        edgeA = new float[w][kcBlock * MR];
        edgeTile = new float[w][MR * NR];
    }

    /** C (M,N) at c[cOff], row stride ldc: = A . B, or += A . B when accumulate. */
    void multiply(int M, int N, int K,
                  float[] a, int aOff, int aRow, int aCol,
                  float[] b, int bOff, int bRow, int bCol,
                  float[] c, int cOff, int ldc, boolean accumulate) {
        if (M == 0 || N == 0) {
            return;
        }
        this.m = M;
        this.n = N;
        this.k = K;
        this.a = a;
        this.aOff = aOff;
        this.aRow = aRow;
        this.aCol = aCol;
        this.b = b;
        this.bOff = bOff;
        this.bRow = bRow;
        this.bCol = bCol;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
        this.accumulate = accumulate;
        try {
            pool.run(this);
        } finally {
            this.a = null;
            this.b = null;
            this.c = null;
        }
    }

    @Override
    public void run(int worker, int workers) {
        int mTiles = (m + MR - 1) / MR;
        int nTiles = (n + NR - 1) / NR;
        // split the side with more tiles, in whole tiles, into one contiguous range per worker
        if (mTiles >= nTiles || nTiles < workers) {
            int t0 = WorkerPool.split(mTiles, worker, workers);
            int t1 = WorkerPool.split(mTiles, worker + 1, workers);
            block(worker, t0 * MR, Math.min(m, t1 * MR), 0, n);
        } else {
            int t0 = WorkerPool.split(nTiles, worker, workers);
            int t1 = WorkerPool.split(nTiles, worker + 1, workers);
            block(worker, 0, m, t0 * NR, Math.min(n, t1 * NR));
        }
    }

    /** C rows [i0, i1) x columns [j0, j1). */
    private void block(int worker, int i0, int i1, int j0, int j1) {
        if (i0 >= i1 || j0 >= j1) {
            return;
        }
        float[] bp = packedB[worker];
        for (int jc = j0; jc < j1; jc += ncBlock) {
            int nc = Math.min(ncBlock, j1 - jc);
            for (int pc = 0; pc < k; pc += kcBlock) {
                int kc = Math.min(kcBlock, k - pc);
                // "=": the first slab stores its products, the later ones add to them
                boolean store = !accumulate && pc == 0;
                packB(bp, pc, kc, jc, nc);
                for (int ic = i0; ic < i1; ic += mcBlock) {
                    int mc = Math.min(mcBlock, i1 - ic);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int row = ic + ir;
                            int co = cOff + row * ldc + jc + jr;
                            if (mr == MR && nr == NR && aCol == 1) {
                                GemmKernels.rows(kc, a, aOff + row * aRow + pc, aRow, bp, jr * kc, c, co, ldc,
                                        store);
                            } else if (mr == MR && nr == NR && aRow == 1) {
                                GemmKernels.cols(kc, a, aOff + pc * aCol + row, aCol, bp, jr * kc, c, co, ldc,
                                        store);
                            } else {
                                edge(worker, row, mr, pc, kc, bp, jr * kc, co, nr, store);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A tile the kernels cannot take in place (fewer than MR rows or NR columns, or an A in another layout). It runs
     * on the same kernel as the full tiles of this product (a rarely used kernel would stay un-compiled by the JIT,
     * and the Vector API is slow and allocates until it is): A's rows are used in place when there are MR of them,
     * else copied into a zero-padded scratch in the kernel's layout; the kernel fills a whole scratch tile (the
     * packed B sliver is zero-padded), and only the valid part is added to C.
     */
    private void edge(int worker, int row, int mr, int pc, int kc, float[] bp, int bo, int co, int nr,
                      boolean store) {
        float[] ap = edgeA[worker];
        float[] tile = edgeTile[worker];
        Arrays.fill(tile, 0f);
        int src = aOff + row * aRow + pc * aCol;
        if (aRow == 1) {
            if (mr == MR) {
                GemmKernels.cols(kc, a, src, aCol, bp, bo, tile, 0, NR);
            } else {
                // [k][MR]: the transposed layout, zero-padded rows
                for (int kk = 0; kk < kc; kk++) {
                    for (int ii = 0; ii < MR; ii++) {
                        ap[kk * MR + ii] = ii < mr ? a[src + kk * aCol + ii] : 0f;
                    }
                }
                GemmKernels.cols(kc, ap, 0, MR, bp, bo, tile, 0, NR);
            }
        } else if (aCol == 1 && mr == MR) {
            GemmKernels.rows(kc, a, src, aRow, bp, bo, tile, 0, NR);
        } else {
            // [MR][k]: the row-major layout, zero-padded rows
            for (int ii = 0; ii < MR; ii++) {
                for (int kk = 0; kk < kc; kk++) {
                    ap[ii * kc + kk] = ii < mr ? a[src + ii * aRow + kk * aCol] : 0f;
                }
            }
            GemmKernels.rows(kc, ap, 0, kc, bp, bo, tile, 0, NR);
        }
        for (int i = 0; i < mr; i++) {
            int r = co + i * ldc;
            if (store) {
                System.arraycopy(tile, i * NR, c, r, nr);
                continue;
            }
            for (int j = 0; j < nr; j++) {
                c[r + j] += tile[i * NR + j];
            }
        }
    }

    /**
     * B K [pc, pc+kc) x columns [jc, jc+nc) into NR-column slivers:
     * bp[s*NR*kc + kk*NR + jj] = B(pc + kk, jc + s*NR + jj).
     */
    private void packB(float[] bp, int pc, int kc, int jc, int nc) {
        for (int s = 0; s * NR < nc; s++) {
            int base = s * NR * kc;
            int cols = Math.min(NR, nc - s * NR);
            int src = bOff + pc * bRow + (jc + s * NR) * bCol;
            if (bCol == 1) {
                // rows of B are contiguous in j: copy NR values per k
                for (int kk = 0; kk < kc; kk++) {
                    System.arraycopy(b, src + kk * bRow, bp, base + kk * NR, cols);
                }
            } else if (bRow == 1 && bCol < ALIASED_STRIDE) {
                // B is stored transposed (a weight used as W^T): write the sliver in order; the reads walk NR rows
                // of W side by side, whose cache lines stay in L1 from one k to the next
                for (int kk = 0; kk < kc; kk++) {
                    int to = base + kk * NR;
                    int from = src + kk;
                    for (int jj = 0; jj < cols; jj++) {
                        bp[to + jj] = b[from + jj * bCol];
                    }
                }
            } else if (bRow == 1) {
                // The same for rows of W 1 KB or more apart: NR such rows open side by side share a few L1 sets and
                // evict each other. Each row is read once, in chunks of 16 k (a cache line), down the sliver's
                // column; the part of the sliver being written (16 k x NR) stays in L1. Measured (n = 1024, one
                // thread, CPU time): forward 87 -> 92 GFLOP/s.
                for (int k0 = 0; k0 < kc; k0 += 16) {
                    int k1 = Math.min(kc, k0 + 16);
                    for (int jj = 0; jj < cols; jj++) {
                        int from = src + jj * bCol;
                        int to = base + jj;
                        for (int kk = k0; kk < k1; kk++) {
                            bp[to + kk * NR] = b[from + kk];
                        }
                    }
                }
            } else {
                for (int jj = 0; jj < cols; jj++) {
                    for (int kk = 0; kk < kc; kk++) {
                        bp[base + kk * NR + jj] = b[src + kk * bRow + jj * bCol];
                    }
                }
            }
            if (cols < NR) {
                for (int kk = 0; kk < kc; kk++) {
                    Arrays.fill(bp, base + kk * NR + cols, base + kk * NR + NR, 0f);
                }
            }
        }
    }
}

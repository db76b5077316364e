// Linear layers as one strided GEMM: c (M,N) = [c +] a (M,K) . b (K,N) [+ bias (N)], with a and b addressed
// through strides, so the three products of a linear layer (weight W (OC,C), row-major) share the kernels:
//
//   forward  out  (N,OC)  = inp (N,C) . W^T   M=N,  K=C,  N=OC  a[m,k] = inp[m*C + k]   b[k,n] = W[n*C + k]
//   backward dinp (N,C)  += dout (N,OC) . W   M=N,  K=OC, N=C   a[m,k] = dout[m*OC + k] b[k,n] = W[k*C + n]
//            dW   (OC,C) += dout^T . inp     M=OC, K=N,  N=C   a[m,k] = dout[k*OC + m] b[k,n] = inp[k*C + n]
//            dbias (OC)  += column sums of dout (matmul_bias_partials, then column_partials_accumulate)
//
// Each output is a sum over k in ascending order with fma, in both variants and on the edge paths, so results do
// not depend on the tile a value falls in.
//
// Sizes fixed at build time (-D, defined in KernelBuildOptions): TS, TK, WPT for the GPU kernel (TS the largest of
// 64, 32, 16 whose work-group and local memory fit the device); RB, CV for the CPU kernels (from the device's native
// vector width); COLSUM_ROWS for column sums.
//
// Launched by MatmulKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

#ifndef TS
#define TS 64            // gemm_tiled: a work-group computes a TS x TS tile of c
#endif
#ifndef TK
#define TK 16            // gemm_tiled: depth of one step along k, staged through local memory
#endif
#ifndef WPT
#define WPT 4            // gemm_tiled: a work-item computes WPT x WPT outputs
#endif
#define RTS (TS / WPT)   // gemm_tiled: the work-group is RTS x RTS work-items
#ifndef RB
#define RB 8             // gemm_rowblock: rows of c per work-item (CV float16 accumulators per row)
#endif
#ifndef CV
#define CV 2             // gemm_rowblock: float16 vectors per row of a block
#endif
#define CB (16 * CV)     // gemm_rowblock: columns of c per work-item
#ifndef COLSUM_ROWS
#define COLSUM_ROWS 64   // rows per partial sum in matmul_bias_partials
#endif

// GPU variant. c (M,N), a (M,K) via strides (a_sm, a_sk), b (K,N) via strides (b_sk, b_sn), bias (N) or none.
// global (ceil(N/TS)*RTS, ceil(M/TS)*RTS), local (RTS, RTS). Work-item (tx, ty) of tile (n0, m0) owns outputs
// (m0 + ty + i*RTS, n0 + tx + j*RTS): neighbours in x write neighbouring columns (coalesced stores) and read
// distinct local-memory banks. Tiles of a and b are loaded so that neighbouring work-items read neighbouring
// addresses, whichever of the two strides is 1.
__kernel __attribute__((reqd_work_group_size(RTS, RTS, 1)))
void gemm_tiled(__global float* c, const long c_off,
                __global const float* a, const long a_off, const int a_sm, const int a_sk,
                __global const float* b, const long b_off, const int b_sk, const int b_sn,
                __global const float* bias, const long bias_off, const int has_bias,
                const int accumulate, const int M, const int N, const int K) {
    __local float as[TK][TS + 1];   // as[k][m]; +1 keeps column-wise stores free of bank conflicts
    __local float bs[TK][TS + 1];   // bs[k][n]
    c += c_off;
    a += a_off;
    b += b_off;
    bias += bias_off;
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int lid = ty * RTS + tx;
    const int n0 = get_group_id(0) * TS;
    const int m0 = get_group_id(1) * TS;

    float acc[WPT][WPT];
#pragma unroll
    for (int i = 0; i < WPT; i++) {
#pragma unroll
        for (int j = 0; j < WPT; j++) {
            acc[i][j] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < K; k0 += TK) {
        for (int l = lid; l < TK * TS; l += RTS * RTS) {
            int kk, mm;
            if (a_sk == 1) {          // rows of a contiguous along k: walk k fastest
                kk = l % TK;
                mm = l / TK;
            } else {                  // a is a transposed view: walk m fastest
                mm = l % TS;
                kk = l / TS;
            }
            const int m = m0 + mm, k = k0 + kk;
            as[kk][mm] = (m < M && k < K) ? a[(long) m * a_sm + (long) k * a_sk] : 0.0f;
        }
        for (int l = lid; l < TK * TS; l += RTS * RTS) {
            int kk, nn;
            if (b_sn == 1) {
                nn = l % TS;
                kk = l / TS;
            } else {
                kk = l % TK;
                nn = l / TK;
            }
            const int n = n0 + nn, k = k0 + kk;
            bs[kk][nn] = (n < N && k < K) ? b[(long) k * b_sk + (long) n * b_sn] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int kmax = min(TK, K - k0);   // zero padding would add +0.0f terms; stopping keeps edge sums exact
        for (int kk = 0; kk < kmax; kk++) {
            float bv[WPT];
#pragma unroll
            for (int j = 0; j < WPT; j++) {
                bv[j] = bs[kk][tx + j * RTS];
            }
#pragma unroll
            for (int i = 0; i < WPT; i++) {
                const float av = as[kk][ty + i * RTS];
#pragma unroll
                for (int j = 0; j < WPT; j++) {
                    acc[i][j] = fma(av, bv[j], acc[i][j]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

#pragma unroll
    for (int i = 0; i < WPT; i++) {
        const int m = m0 + ty + i * RTS;
        if (m >= M) {
            continue;
        }
#pragma unroll
        for (int j = 0; j < WPT; j++) {
            const int n = n0 + tx + j * RTS;
            if (n < N) {
                float r = acc[i][j];
                if (has_bias) {
                    r += bias[n];
                }
                const long at = (long) m * N + n;
                c[at] = accumulate ? c[at] + r : r;
            }
        }
    }
}

// CPU variant, in two steps. pack_column_panels copies b (K,N), through its strides, into panels of CB columns:
// panel p is (K, CB) row-major, holding columns [p*CB, (p+1)*CB), zero beyond N; pack_row_panels copies a (M,K)
// likewise into panels of RB rows, (K, RB) each. gemm_rowblock then streams one panel of each front to back.
// Reading a strided operand in place walks k with a stride of N (or M) floats, which for power-of-two sizes maps
// every load to the same cache set and thrashes L1; packing costs (M + N) K moves against M N K FMAs.

// dst (ceil(N/width), K, width) written from src (K,N) via strides (s_k, s_n), zero beyond N: one work-item per
// (k, panel) copies one panel row. Neighbouring work-items (along k) write neighbouring panel rows, and read
// neighbouring addresses whichever of the source's strides is 1. width is a constant at each call site, so full
// panel rows compile to straight-line copies (vector loads where the source row is contiguous).
static inline void pack_panel_row(__global float* dst, __global const float* src, const long src_off,
                                  const int s_k, const int s_n, const int K, const int N, const int width) {
    const int k = get_global_id(0);
    const int p = get_global_id(1);
    if (k >= K) {
        return;
    }
    __global float* d = dst + ((long) p * K + k) * width;
    __global const float* s = src + src_off + (long) k * s_k;
    const int j0 = p * width;
    if (j0 + width <= N) {
        if (s_n == 1 && width % 8 == 0) {
            for (int jj = 0; jj < width; jj += 8) {
                vstore8(vload8(0, s + j0 + jj), 0, d + jj);
            }
        } else {
            for (int jj = 0; jj < width; jj++) {
                d[jj] = s[(long) (j0 + jj) * s_n];
            }
        }
    } else {
        for (int jj = 0; jj < width; jj++) {
            d[jj] = j0 + jj < N ? s[(long) (j0 + jj) * s_n] : 0.0f;
        }
    }
}

// a (M,K) into panels of RB rows. global (K, ceil(M/RB)).
__kernel void pack_row_panels(__global float* dst, __global const float* src, const long src_off, const int s_k,
                              const int s_n, const int K, const int N) {
    pack_panel_row(dst, src, src_off, s_k, s_n, K, N, RB);
}

// b (K,N) into panels of CB columns. global (K, ceil(N/CB)).
__kernel void pack_column_panels(__global float* dst, __global const float* src, const long src_off,
                                 const int s_k, const int s_n, const int K, const int N) {
    pack_panel_row(dst, src, src_off, s_k, s_n, K, N, CB);
}

// c (M,N) [+]= a (M,K) . b (K,N) [+ bias (N)], a and b given as panels (ap of RB rows, bp of CB columns).
// global (ceil(M/RB), ceil(N/CB)): row blocks vary fastest, so consecutive work-items reuse one b panel (K*CB
// floats, the larger of the two) from cache while the small a panels stream.
// A work-item owns an RB x CB block of c held in RB*CV float16 registers and streams k: per step CV vector loads of
// the panel and RB broadcasts of a feed RB*CV vector FMAs (an outer-product update, the shape CPU vector units
// want). Padding rows and columns are zeros and are not stored, so edge blocks run the same code and sum in the same
// order as the others.
__kernel void gemm_rowblock(__global float* c, const long c_off,
                            __global const float* ap, __global const float* bp,
                            __global const float* bias, const long bias_off, const int has_bias,
                            const int accumulate, const int M, const int N, const int K) {
    const int p = get_global_id(1);
    const int n0 = p * CB;
    const int m0 = get_global_id(0) * RB;
    if (n0 >= N || m0 >= M) {
        return;
    }
    c += c_off;
    bias += bias_off;
    __global const float* apanel = ap + (long) get_global_id(0) * K * RB;
    __global const float* panel = bp + (long) p * K * CB;
    float16 acc[RB][CV];
#pragma unroll
    for (int i = 0; i < RB; i++) {
#pragma unroll
        for (int v = 0; v < CV; v++) {
            acc[i][v] = (float16) (0.0f);
        }
    }
    for (int k = 0; k < K; k++) {
        float16 bv[CV];
#pragma unroll
        for (int v = 0; v < CV; v++) {
            bv[v] = vload16(v, panel + (long) k * CB);
        }
        __global const float* ak = apanel + (long) k * RB;
#pragma unroll
        for (int i = 0; i < RB; i++) {
            const float16 av = (float16) (ak[i]);
#pragma unroll
            for (int v = 0; v < CV; v++) {
                acc[i][v] = fma(av, bv[v], acc[i][v]);
            }
        }
    }
    const int rows = min(RB, M - m0);
    const int cols = min(CB, N - n0);
    for (int i = 0; i < rows; i++) {
        __global float* cp = c + (long) (m0 + i) * N + n0;
        if (cols == CB) {
#pragma unroll
            for (int v = 0; v < CV; v++) {
                float16 r = acc[i][v];
                if (has_bias) {
                    r += vload16(v, bias + n0);
                }
                if (accumulate) {
                    r = vload16(v, cp) + r;
                }
                vstore16(r, v, cp);
            }
        } else {
            float lanes[CB];
#pragma unroll
            for (int v = 0; v < CV; v++) {
                vstore16(acc[i][v], v, lanes);
            }
            for (int j = 0; j < cols; j++) {
                float r = lanes[j];
                if (has_bias) {
                    r += bias[n0 + j];
                }
                cp[j] = accumulate ? cp[j] + r : r;
            }
        }
    }
}

// First stage of dbias (OC) += column sums of dout (N,OC): partials (chunks, OC) written, chunk k summing rows
// [k*COLSUM_ROWS, (k+1)*COLSUM_ROWS) in order. global (OC, chunks). Then column_partials_accumulate.
__kernel void matmul_bias_partials(__global float* partials, __global const float* dout, const long dout_off,
                                   const int N, const int OC) {
    const int oc = get_global_id(0);
    const int chunk = get_global_id(1);
    if (oc >= OC) {
        return;
    }
    dout += dout_off;
    const int end = min(N, (chunk + 1) * COLSUM_ROWS);
    float s = 0.0f;
    for (int n = chunk * COLSUM_ROWS; n < end; n++) {
        s += dout[(long) n * OC + oc];
    }
    partials[(long) chunk * OC + oc] = s;
}

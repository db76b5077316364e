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
// Sizes fixed at build time (-D): TS, TK, WPT for the GPU kernel; RB for the CPU kernel; COLSUM_ROWS for column sums.

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
#define RB 8             // gemm_rowblock: rows of c per work-item (one float16 accumulator per row)
#endif
#define CB 16            // gemm_rowblock: columns of c per work-item, one float16
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
    for (int i = 0; i < WPT; i++) {
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
            for (int j = 0; j < WPT; j++) {
                bv[j] = bs[kk][tx + j * RTS];
            }
            for (int i = 0; i < WPT; i++) {
                const float av = as[kk][ty + i * RTS];
                for (int j = 0; j < WPT; j++) {
                    acc[i][j] = fma(av, bv[j], acc[i][j]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int i = 0; i < WPT; i++) {
        const int m = m0 + ty + i * RTS;
        if (m >= M) {
            continue;
        }
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

// CPU variant. Same contract as gemm_tiled except that b must be contiguous along n (b_sn == 1): the forward pass
// first transposes W with transpose. global (ceil(N/CB), ceil(M/RB)), any local size.
// A work-item owns an RB x CB block of c held in RB float16 registers and streams k: per step one vector load of
// b and RB broadcasts of a feed RB vector FMAs (an outer-product update, the shape CPU vector units want).
__kernel void gemm_rowblock(__global float* c, const long c_off,
                            __global const float* a, const long a_off, const int a_sm, const int a_sk,
                            __global const float* b, const long b_off, const int b_sk,
                            __global const float* bias, const long bias_off, const int has_bias,
                            const int accumulate, const int M, const int N, const int K) {
    const int n0 = get_global_id(0) * CB;
    const int m0 = get_global_id(1) * RB;
    if (n0 >= N || m0 >= M) {
        return;
    }
    c += c_off;
    a += a_off;
    b += b_off;
    bias += bias_off;
    if (n0 + CB <= N && m0 + RB <= M) {
        float16 acc[RB];
        for (int i = 0; i < RB; i++) {
            acc[i] = (float16) (0.0f);
        }
        __global const float* ap = a + (long) m0 * a_sm;
        __global const float* bp = b + n0;
        for (int k = 0; k < K; k++) {
            const float16 bv = vload16(0, bp + (long) k * b_sk);
            __global const float* ak = ap + (long) k * a_sk;
#pragma unroll
            for (int i = 0; i < RB; i++) {
                acc[i] = fma((float16) (ak[i * a_sm]), bv, acc[i]);
            }
        }
        for (int i = 0; i < RB; i++) {
            float16 r = acc[i];
            if (has_bias) {
                r += vload16(0, bias + n0);
            }
            __global float* cp = c + (long) (m0 + i) * N + n0;
            if (accumulate) {
                r = vload16(0, cp) + r;
            }
            vstore16(r, 0, cp);
        }
    } else {
        // Edge block (M or N not a multiple of the block): the same sums, one output at a time.
        for (int i = 0; i < RB && m0 + i < M; i++) {
            const int m = m0 + i;
            for (int j = 0; j < CB && n0 + j < N; j++) {
                const int n = n0 + j;
                float s = 0.0f;
                for (int k = 0; k < K; k++) {
                    s = fma(a[(long) m * a_sm + (long) k * a_sk], b[(long) k * b_sk + n], s);
                }
                if (has_bias) {
                    s += bias[n];
                }
                const long at = (long) m * N + n;
                c[at] = accumulate ? c[at] + s : s;
            }
        }
    }
}

// dst (cols, rows) = src (rows, cols)^T. global (cols, rows). Used by the CPU variant to give gemm_rowblock a weight
// that is contiguous along its output dimension.
__kernel void transpose(__global float* dst, __global const float* src, const long src_off,
                        const int rows, const int cols) {
    const int j = get_global_id(0);
    const int i = get_global_id(1);
    if (i < rows && j < cols) {
        dst[(long) j * rows + i] = src[src_off + (long) i * cols + j];
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

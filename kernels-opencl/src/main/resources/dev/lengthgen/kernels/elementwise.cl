// Elementwise ops: GELU, residual add, dropout, copy and fill.
// GPU variant: one work-item per element, global (N) rounded up to the local size.
// CPU variant ("_vec"): sixteen elements per work-item as float16 / uint16, global (ceil(N/16)). PoCL does not
// vectorize across work-items through the bounds check (or through Philox's rounds), so the CPU variant spells the
// vectors out; the last partial block runs the scalar code.
//
// Launched by ElementwiseKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

#define GELU_SCALE 0.7978845608028654f   // sqrt(2 / pi)

// Written as macros so that the same expressions serve float and float16.
#define GELU_TANH(x) tanh(GELU_SCALE * ((x) + 0.044715f * (x) * (x) * (x)))
#define GELU(x, th) (0.5f * (x) * (1.0f + (th)))
// GELU'(x); sech^2 is written 1 - tanh^2, which stays finite where cosh would overflow.
#define GELU_GRAD(x, th) \
    (0.5f * (1.0f + (th)) + 0.5f * (x) * (1.0f - (th) * (th)) * GELU_SCALE * (1.0f + 3.0f * 0.044715f * (x) * (x)))

// out (N) written = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
__kernel void gelu_forward(__global float* out, const long out_off, __global const float* inp, const long inp_off,
                           const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        const float x = inp[inp_off + i];
        out[out_off + i] = GELU(x, GELU_TANH(x));
    }
}

// CPU variant of gelu_forward.
__kernel void gelu_forward_vec(__global float* out, const long out_off, __global const float* inp,
                               const long inp_off, const int N) {
    const int i0 = get_global_id(0) * 16;
    if (i0 + 16 <= N) {
        const float16 x = vload16(0, inp + inp_off + i0);
        vstore16(GELU(x, GELU_TANH(x)), 0, out + out_off + i0);
    } else {
        for (int i = i0; i < N; i++) {
            const float x = inp[inp_off + i];
            out[out_off + i] = GELU(x, GELU_TANH(x));
        }
    }
}

// dinp (N) += GELU'(x) dout.
__kernel void gelu_backward(__global float* dinp, const long dinp_off, __global const float* inp, const long inp_off,
                            __global const float* dout, const long dout_off, const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        const float x = inp[inp_off + i];
        dinp[dinp_off + i] += GELU_GRAD(x, GELU_TANH(x)) * dout[dout_off + i];
    }
}

// CPU variant of gelu_backward.
__kernel void gelu_backward_vec(__global float* dinp, const long dinp_off, __global const float* inp,
                                const long inp_off, __global const float* dout, const long dout_off, const int N) {
    const int i0 = get_global_id(0) * 16;
    if (i0 + 16 <= N) {
        const float16 x = vload16(0, inp + inp_off + i0);
        __global float* d = dinp + dinp_off + i0;
        vstore16(vload16(0, d) + GELU_GRAD(x, GELU_TANH(x)) * vload16(0, dout + dout_off + i0), 0, d);
    } else {
        for (int i = i0; i < N; i++) {
            const float x = inp[inp_off + i];
            dinp[dinp_off + i] += GELU_GRAD(x, GELU_TANH(x)) * dout[dout_off + i];
        }
    }
}

// out (N) written = a + b.
__kernel void residual_forward(__global float* out, const long out_off, __global const float* a, const long a_off,
                               __global const float* b, const long b_off, const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        out[out_off + i] = a[a_off + i] + b[b_off + i];
    }
}

// da (N) += dout, db (N) += dout.
__kernel void residual_backward(__global float* da, const long da_off, __global float* db, const long db_off,
                                __global const float* dout, const long dout_off, const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        const float g = dout[dout_off + i];
        da[da_off + i] += g;
        db[db_off + i] += g;
    }
}

// ---- dropout ----
// Philox4x32-10 (Salmon et al., SC'11), first output word, exactly as dev.lengthgen.engine.random.Philox: element i
// of a tensor is kept iff uniform(philox(counter = (i, tensor, step lo, step hi), key = (seed lo, seed hi))) >= p,
// with uniform(bits) = (bits >> 8) * 2^-24. A pure function of the element index, so any backend draws the same mask.

static inline uint philox_first(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1) {
#pragma unroll
    for (int round = 0; round < 10; round++) {
        // 32x32 -> 64-bit products; written as ulong multiplies rather than mul_hi because CPU compilers
        // vectorize these (vpmuludq) across work-items, mul_hi not always.
        const ulong p0 = (ulong) 0xD2511F53u * c0;
        const ulong p1 = (ulong) 0xCD9E8D57u * c2;
        const uint hi0 = (uint) (p0 >> 32), lo0 = (uint) p0;
        const uint hi1 = (uint) (p1 >> 32), lo1 = (uint) p1;
        const uint n0 = hi1 ^ c1 ^ k0;
        const uint n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c0;
}

static inline float dropout_keep_scale(const uint i, const float p, const float scale, const uint tensor,
                                       const uint step_lo, const uint step_hi, const uint seed_lo,
                                       const uint seed_hi) {
    if (p <= 0.0f) {
        return 1.0f;
    }
    const uint bits = philox_first(i, tensor, step_lo, step_hi, seed_lo, seed_hi);
    const float u = (float) (bits >> 8) * 0x1.0p-24f;
    return u >= p ? scale : 0.0f;
}

// philox_first on sixteen counters at once (c0 differs per lane; the rest of the counter and the key are shared).
static inline uint16 philox_first16(uint16 c0, uint c1s, uint c2s, uint c3s, uint k0, uint k1) {
    uint16 c1 = (uint16) (c1s), c2 = (uint16) (c2s), c3 = (uint16) (c3s);
#pragma unroll
    for (int round = 0; round < 10; round++) {
        const ulong16 p0 = convert_ulong16(c0) * (ulong) 0xD2511F53u;
        const ulong16 p1 = convert_ulong16(c2) * (ulong) 0xCD9E8D57u;
        const uint16 n0 = convert_uint16(p1 >> 32) ^ c1 ^ k0;
        const uint16 n2 = convert_uint16(p0 >> 32) ^ c3 ^ k1;
        c1 = convert_uint16(p1);
        c3 = convert_uint16(p0);
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c0;
}

// keep / (1 - p) for elements i0 .. i0+15.
static inline float16 dropout_keep_scale16(const uint i0, const float p, const float scale,
                                           const uint tensor, const uint step_lo, const uint step_hi,
                                           const uint seed_lo, const uint seed_hi) {
    if (p <= 0.0f) {
        return (float16) (1.0f);
    }
    const uint16 lane = (uint16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const uint16 bits = philox_first16((uint16) (i0) + lane, tensor, step_lo, step_hi, seed_lo, seed_hi);
    const float16 u = convert_float16(bits >> 8) * 0x1.0p-24f;
    return select((float16) (0.0f), (float16) (scale), isgreaterequal(u, (float16) (p)));
}

// out (N) written = inp * keep / (1 - p); scale = 1 / (1 - p) (1 when p = 0).
__kernel void dropout_forward(__global float* out, const long out_off, __global const float* inp, const long inp_off,
                              const float p, const float scale, const uint tensor, const uint step_lo,
                              const uint step_hi, const uint seed_lo, const uint seed_hi, const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        out[out_off + i] = inp[inp_off + i] * dropout_keep_scale(i, p, scale, tensor, step_lo, step_hi, seed_lo,
                                                                 seed_hi);
    }
}

// CPU variant of dropout_forward.
__kernel void dropout_forward_vec(__global float* out, const long out_off, __global const float* inp,
                                  const long inp_off, const float p, const float scale, const uint tensor,
                                  const uint step_lo, const uint step_hi, const uint seed_lo, const uint seed_hi,
                                  const int N) {
    const int i0 = get_global_id(0) * 16;
    if (i0 + 16 <= N) {
        const float16 m = dropout_keep_scale16(i0, p, scale, tensor, step_lo, step_hi, seed_lo, seed_hi);
        vstore16(vload16(0, inp + inp_off + i0) * m, 0, out + out_off + i0);
    } else {
        for (int i = i0; i < N; i++) {
            out[out_off + i] = inp[inp_off + i] * dropout_keep_scale(i, p, scale, tensor, step_lo, step_hi,
                                                                     seed_lo, seed_hi);
        }
    }
}

// dinp (N) += dout * keep / (1 - p), the forward pass's mask.
__kernel void dropout_backward(__global float* dinp, const long dinp_off, __global const float* dout,
                               const long dout_off, const float p, const float scale, const uint tensor,
                               const uint step_lo, const uint step_hi, const uint seed_lo, const uint seed_hi,
                               const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        dinp[dinp_off + i] += dout[dout_off + i] * dropout_keep_scale(i, p, scale, tensor, step_lo, step_hi,
                                                                      seed_lo, seed_hi);
    }
}

// CPU variant of dropout_backward.
__kernel void dropout_backward_vec(__global float* dinp, const long dinp_off, __global const float* dout,
                                   const long dout_off, const float p, const float scale, const uint tensor,
                                   const uint step_lo, const uint step_hi, const uint seed_lo, const uint seed_hi,
                                   const int N) {
    const int i0 = get_global_id(0) * 16;
    if (i0 + 16 <= N) {
        const float16 m = dropout_keep_scale16(i0, p, scale, tensor, step_lo, step_hi, seed_lo, seed_hi);
        __global float* d = dinp + dinp_off + i0;
        vstore16(vload16(0, d) + vload16(0, dout + dout_off + i0) * m, 0, d);
    } else {
        for (int i = i0; i < N; i++) {
            dinp[dinp_off + i] += dout[dout_off + i] * dropout_keep_scale(i, p, scale, tensor, step_lo, step_hi,
                                                                          seed_lo, seed_hi);
        }
    }
}

// ---- plumbing: 32-bit words, so one kernel serves F32 and I32 ----

// dst (N) written = src (N).
__kernel void copy_words(__global uint* dst, const long dst_off, __global const uint* src, const long src_off,
                         const long N) {
    const long i = get_global_id(0);
    if (i < N) {
        dst[dst_off + i] = src[src_off + i];
    }
}

// dst (N) written = value (the bits of a float or an int).
__kernel void fill_words(__global uint* dst, const long dst_off, const uint value, const long N) {
    const long i = get_global_id(0);
    if (i < N) {
        dst[dst_off + i] = value;
    }
}

// ---- row selection: the rows of a batch that carry loss ----
// out (M,C) written = inp (N,C) rows rows[m]; rows I32 (M) strictly increasing, so the backward pass's rows are
// distinct and dinp (N,C) += dout needs no atomics. A row id outside [0, N) is skipped (the host cannot check ids
// without reading them back). global (C rounded up to the local size, M), local (up to 64, 1).
__kernel void gather_rows_forward(__global float* out, const long out_off, __global const float* inp,
                                  const long inp_off, __global const int* rows, const long rows_off,
                                  const int N, const int M, const int C) {
    const int c = get_global_id(0);
    const int m = get_global_id(1);
    if (c < C && m < M) {
        const int r = rows[rows_off + m];
        if (r >= 0 && r < N) {
            out[out_off + (long) m * C + c] = inp[inp_off + (long) r * C + c];
        }
    }
}

__kernel void gather_rows_backward(__global float* dinp, const long dinp_off, __global const float* dout,
                                   const long dout_off, __global const int* rows, const long rows_off,
                                   const int N, const int M, const int C) {
    const int c = get_global_id(0);
    const int m = get_global_id(1);
    if (c < C && m < M) {
        const int r = rows[rows_off + m];
        if (r >= 0 && r < N) {
            dinp[dinp_off + (long) r * C + c] += dout[dout_off + (long) m * C + c];
        }
    }
}

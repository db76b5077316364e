// Elementwise ops: GELU, residual add, dropout, copy and fill. One work-item per element, global (N) rounded up to
// the local size; the same kernels serve GPUs and CPU devices (PoCL vectorizes across work-items by itself).

#define GELU_SCALE 0.7978845608028654f   // sqrt(2 / pi)

// out (N) written = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
__kernel void gelu_forward(__global float* out, const long out_off, __global const float* inp, const long inp_off,
                           const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        const float x = inp[inp_off + i];
        out[out_off + i] = 0.5f * x * (1.0f + tanh(GELU_SCALE * (x + 0.044715f * x * x * x)));
    }
}

// dinp (N) += GELU'(x) dout. sech^2 is written 1 - tanh^2, which stays finite where cosh would overflow.
__kernel void gelu_backward(__global float* dinp, const long dinp_off, __global const float* inp, const long inp_off,
                            __global const float* dout, const long dout_off, const int N) {
    const int i = get_global_id(0);
    if (i < N) {
        const float x = inp[inp_off + i];
        const float th = tanh(GELU_SCALE * (x + 0.044715f * x * x * x));
        const float sech2 = 1.0f - th * th;
        const float grad = 0.5f * (1.0f + th) + 0.5f * x * sech2 * GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
        dinp[dinp_off + i] += grad * dout[dout_off + i];
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

inline uint philox_first(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1) {
    for (int round = 0; round < 10; round++) {
        const uint hi0 = mul_hi(0xD2511F53u, c0);
        const uint lo0 = 0xD2511F53u * c0;
        const uint hi1 = mul_hi(0xCD9E8D57u, c2);
        const uint lo1 = 0xCD9E8D57u * c2;
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

inline float dropout_keep_scale(const uint i, const float p, const float scale, const uint tensor,
                                const uint step_lo, const uint step_hi, const uint seed_lo, const uint seed_hi) {
    if (p <= 0.0f) {
        return 1.0f;
    }
    const uint bits = philox_first(i, tensor, step_lo, step_hi, seed_lo, seed_hi);
    const float u = (float) (bits >> 8) * 0x1.0p-24f;
    return u >= p ? scale : 0.0f;
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

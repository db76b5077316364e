// Greedy decoding with a KV cache: one new token per sequence per step.
// kcache, vcache (B,NH,maxT,hs); qkv of the new tokens (B,T,3C) for the store, (B,3C) for the decode step.
//
// Launched by DecodeKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

// kcache[b,h,pos0+t,:] = k of token (b,t), vcache likewise from v. global (B*NH*T * hs), channel fastest.
__kernel void kv_cache_store(__global float* kcache, const long kcache_off, __global float* vcache,
                             const long vcache_off, __global const float* qkv, const long qkv_off,
                             const int B, const int T, const int C, const int NH, const int maxT, const int pos0) {
    const int hs = C / NH;
    const int gid = get_global_id(0);
    if (gid >= B * NH * T * hs) {
        return;
    }
    const int i = gid % hs;
    const int t = (gid / hs) % T;
    const int bh = gid / (hs * T);
    const int h = bh % NH;
    const int b = bh / NH;
    const long src = qkv_off + (long) (b * T + t) * 3 * C + h * hs + i;
    const long dst = ((long) bh * maxT + pos0 + t) * hs + i;
    kcache[kcache_off + dst] = qkv[src + C];
    vcache[vcache_off + dst] = qkv[src + 2 * C];
}

// GPU variant. out (B,C) written = softmax(q . K[0..pos]^T / sqrt(hs) + bias[h,pos,0..pos]) . V[0..pos] per head;
// q from qkv (B,3C); bias (NH,maxT,maxT) or none; scores (B*NH, maxT) scratch, written.
// One work-group per (b, h); global (B*NH * L), local (L) a power of two; red: L floats of local memory.
__kernel void attention_decode_group(__global float* out, const long out_off, __global const float* qkv,
                                     const long qkv_off, __global const float* kcache, const long kcache_off,
                                     __global const float* vcache, const long vcache_off,
                                     __global const float* bias, const long bias_off, const int has_bias,
                                     __global float* scores, const int C, const int NH, const int maxT,
                                     const int pos, __local float* red) {
    const int bh = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const int h = bh % NH;
    const int b = bh / NH;
    const int hs = C / NH;
    const float scale = 1.0f / sqrt((float) hs);
    __global const float* q = qkv + qkv_off + (long) b * 3 * C + h * hs;
    __global const float* K = kcache + kcache_off + (long) bh * maxT * hs;
    __global const float* Vc = vcache + vcache_off + (long) bh * maxT * hs;
    __global const float* brow = bias + bias_off + ((long) h * maxT + pos) * maxT;
    __global float* s = scores + (long) bh * maxT;

    float mx = -INFINITY;
    for (int t2 = lid; t2 <= pos; t2 += L) {
        float d = 0.0f;
        for (int i = 0; i < hs; i++) {
            d = fma(q[i], K[(long) t2 * hs + i], d);
        }
        float x = d * scale;
        if (has_bias) {
            x += brow[t2];
        }
        s[t2] = x;
        mx = fmax(mx, x);
    }
    mx = group_max(mx, red);
    float sum = 0.0f;
    for (int t2 = lid; t2 <= pos; t2 += L) {
        const float e = exp(s[t2] - mx);
        s[t2] = e;
        sum += e;
    }
    const float inv = 1.0f / group_sum(sum, red);
    barrier(CLK_GLOBAL_MEM_FENCE);   // every score is read below
    for (int i = lid; i < hs; i += L) {
        float acc = 0.0f;
        for (int t2 = 0; t2 <= pos; t2++) {
            acc = fma(s[t2], Vc[(long) t2 * hs + i], acc);
        }
        out[out_off + (long) b * C + h * hs + i] = acc * inv;
    }
}

#ifdef HS
// CPU variant of attention_decode_group: one work-item per (b, h), the head's channels in vector registers (built
// with -DHS, see common.cl). global (B*NH).
__kernel void attention_decode_row(__global float* out, const long out_off, __global const float* qkv,
                                   const long qkv_off, __global const float* kcache, const long kcache_off,
                                   __global const float* vcache, const long vcache_off,
                                   __global const float* bias, const long bias_off, const int has_bias,
                                   __global float* scores, const int C, const int NH, const int maxT,
                                   const int pos, const int BNH) {
    const int bh = get_global_id(0);
    if (bh >= BNH) {
        return;
    }
    const int h = bh % NH;
    const int b = bh / NH;
    const float scale = 1.0f / sqrt((float) HS);
    __global const float* q = qkv + qkv_off + (long) b * 3 * C + h * HS;
    __global const float* K = kcache + kcache_off + (long) bh * maxT * HS;
    __global const float* Vc = vcache + vcache_off + (long) bh * maxT * HS;
    __global const float* brow = bias + bias_off + ((long) h * maxT + pos) * maxT;
    __global float* s = scores + (long) bh * maxT;
    float mx = -INFINITY;
    for (int t2 = 0; t2 <= pos; t2++) {
        float x = head_dot(q, K + (long) t2 * HS) * scale;
        if (has_bias) {
            x += brow[t2];
        }
        s[t2] = x;
        mx = fmax(mx, x);
    }
    float sum = 0.0f;
    for (int t2 = 0; t2 <= pos; t2++) {
        const float e = exp(s[t2] - mx);
        s[t2] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;
    headvec o[HN];
#pragma unroll
    for (int c = 0; c < HN; c++) {
        o[c] = (headvec) (0.0f);
    }
    for (int t2 = 0; t2 <= pos; t2++) {
        const headvec a = (headvec) (s[t2]);
        __global const float* v = Vc + (long) t2 * HS;
#pragma unroll
        for (int c = 0; c < HN; c++) {
            o[c] = fma(a, HV_LOAD(v + c * HV), o[c]);
        }
    }
    __global float* op = out + out_off + (long) b * C + h * HS;
#pragma unroll
    for (int c = 0; c < HN; c++) {
        HV_STORE(o[c] * inv, op + c * HV);
    }
}
#endif

// Causal multi-head self-attention (B batch, T positions, C channels, NH heads, hs = C / NH).
// qkv (B,T,3C): q, k, v side by side per token; head h uses channels [h*hs, (h+1)*hs) of each.
// A "row" is one (b, h, t): rows are numbered (b*NH + h)*T + t, the layout of preatt/att (B,NH,T,T).
//
//   preatt[t,t2] = q_t . k_t2 / sqrt(hs) + bias[h,t,t2]      (t2 <= t; 0 above the diagonal)
//   att[t,:]     = softmax over t2 <= t of preatt[t,:]       (0 above the diagonal)
//   out_t        = sum_t2 att[t,t2] v_t2
// Backward, with scale = 1/sqrt(hs):
//   datt[t,t2]    = dout_t . v_t2
//   dpreatt[t,t2] = att[t,t2] (datt[t,t2] - sum_t3 att[t,t3] datt[t,t3])
//   dq_t += scale sum_t2 dpreatt[t,t2] k_t2;  dk_t2 += scale sum_t dpreatt[t,t2] q_t;  dv_t2 += sum_t att[t,t2] dout_t
//   dbias[h,t,t2] += sum_b dpreatt[b,h,t,t2]
// GPU variant: row-wise work (scores, softmax and its backward) runs a work-group per row with reductions in local
// memory; the gradient sums over positions run one work-item per output element. CPU variant ("_row", built with
// the head size as -DHS): one work-item per row holds a head's channels as vectors (common.cl head vectors). Every
// sum over positions runs in ascending order, so neither variant needs atomics.
//
// Launched by AttentionKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

static inline void attention_row_coords(const int row, const int T, const int NH, int* b, int* h, int* t) {
    *t = row % T;
    const int bh = row / T;
    *h = bh % NH;
    *b = bh / NH;
}

// GPU variant. out (B,T,C) written, preatt and att (B,NH,T,T) written; qkv (B,T,3C); bias (NH,T,T) or none.
// One work-group per row; global (B*NH*T * L), local (L) a power of two; red: L floats of local memory.
__kernel void attention_forward_group(__global float* out, const long out_off, __global float* preatt,
                                      const long preatt_off, __global float* att, const long att_off,
                                      __global const float* qkv, const long qkv_off,
                                      __global const float* bias, const long bias_off, const int has_bias,
                                      const int T, const int C, const int NH, __local float* red) {
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    int b, h, t;
    attention_row_coords(row, T, NH, &b, &h, &t);
    const int hs = C / NH;
    const int C3 = 3 * C;
    const float scale = 1.0f / sqrt((float) hs);
    qkv += qkv_off;
    __global const float* q = qkv + (long) (b * T + t) * C3 + h * hs;
    __global float* prow = preatt + preatt_off + (long) row * T;
    __global float* arow = att + att_off + (long) row * T;
    __global const float* brow = bias + bias_off + (long) (h * T + t) * T;

    float mx = -INFINITY;
    for (int t2 = lid; t2 <= t; t2 += L) {
        __global const float* k = qkv + (long) (b * T + t2) * C3 + C + h * hs;
        float d = 0.0f;
        for (int i = 0; i < hs; i++) {
            d = fma(q[i], k[i], d);
        }
        float s = d * scale;
        if (has_bias) {
            s += brow[t2];
        }
        prow[t2] = s;
        mx = fmax(mx, s);
    }
    mx = group_max(mx, red);
    float sum = 0.0f;
    for (int t2 = lid; t2 <= t; t2 += L) {   // each work-item rereads only the entries it wrote
        const float e = exp(prow[t2] - mx);
        arow[t2] = e;
        sum += e;
    }
    const float inv = 1.0f / group_sum(sum, red);
    for (int t2 = lid; t2 < T; t2 += L) {
        if (t2 <= t) {
            arow[t2] *= inv;
        } else {
            arow[t2] = 0.0f;
            prow[t2] = 0.0f;
        }
    }
    barrier(CLK_GLOBAL_MEM_FENCE);   // the whole att row is read below
    __global float* o = out + out_off + (long) (b * T + t) * C + h * hs;
    for (int i = lid; i < hs; i += L) {
        float acc = 0.0f;
        for (int t2 = 0; t2 <= t; t2++) {
            acc = fma(arow[t2], qkv[(long) (b * T + t2) * C3 + 2 * C + h * hs + i], acc);
        }
        o[i] = acc;
    }
}

// GPU variant. datt and dpreatt (B,NH,T,T) written (0 above the diagonal); from dout (B,T,C), qkv, att.
// One work-group per row; global (B*NH*T * L), local (L); red: L floats of local memory.
__kernel void attention_backward_softmax_group(__global float* dpreatt, const long dpreatt_off,
                                               __global float* datt, const long datt_off,
                                               __global const float* dout, const long dout_off,
                                               __global const float* qkv, const long qkv_off,
                                               __global const float* att, const long att_off,
                                               const int T, const int C, const int NH, __local float* red) {
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    int b, h, t;
    attention_row_coords(row, T, NH, &b, &h, &t);
    const int hs = C / NH;
    const int C3 = 3 * C;
    qkv += qkv_off;
    __global const float* dy = dout + dout_off + (long) (b * T + t) * C + h * hs;
    __global const float* arow = att + att_off + (long) row * T;
    __global float* darow = datt + datt_off + (long) row * T;
    __global float* dprow = dpreatt + dpreatt_off + (long) row * T;

    float dot = 0.0f;
    for (int t2 = lid; t2 <= t; t2 += L) {
        __global const float* v = qkv + (long) (b * T + t2) * C3 + 2 * C + h * hs;
        float d = 0.0f;
        for (int i = 0; i < hs; i++) {
            d = fma(dy[i], v[i], d);
        }
        darow[t2] = d;
        dot += arow[t2] * d;
    }
    dot = group_sum(dot, red);
    for (int t2 = lid; t2 < T; t2 += L) {
        if (t2 <= t) {
            dprow[t2] = arow[t2] * (darow[t2] - dot);
        } else {
            darow[t2] = 0.0f;
            dprow[t2] = 0.0f;
        }
    }
}

// GPU variant: dq (the first C channels of dqkv (B,T,3C)) += scale * sum_{t2 <= t} dpreatt[t,t2] k_t2.
// One work-item per (row, i); global (B*NH*T * hs), i fastest so neighbours read neighbouring channels.
__kernel void attention_backward_dq(__global float* dqkv, const long dqkv_off,
                                    __global const float* dpreatt, const long dpreatt_off,
                                    __global const float* qkv, const long qkv_off,
                                    const int T, const int C, const int NH, const int rows) {
    const int hs = C / NH;
    const int gid = get_global_id(0);
    const int row = gid / hs;
    const int i = gid % hs;
    if (row >= rows) {
        return;
    }
    int b, h, t;
    attention_row_coords(row, T, NH, &b, &h, &t);
    const int C3 = 3 * C;
    const float scale = 1.0f / sqrt((float) hs);
    qkv += qkv_off;
    __global const float* dprow = dpreatt + dpreatt_off + (long) row * T;
    float acc = 0.0f;
    for (int t2 = 0; t2 <= t; t2++) {
        acc = fma(dprow[t2], qkv[(long) (b * T + t2) * C3 + C + h * hs + i], acc);
    }
    dqkv[dqkv_off + (long) (b * T + t) * C3 + h * hs + i] += scale * acc;
}

// GPU variant: dk and dv (channels [C, 3C) of dqkv) for key position t2 of row (b, h, t2):
//   dk += scale * sum_{t >= t2} dpreatt[t,t2] q_t,   dv += sum_{t >= t2} att[t,t2] dout_t.
// One work-item per (row, i); global (B*NH*T * hs).
__kernel void attention_backward_dkv(__global float* dqkv, const long dqkv_off,
                                     __global const float* dpreatt, const long dpreatt_off,
                                     __global const float* att, const long att_off,
                                     __global const float* dout, const long dout_off,
                                     __global const float* qkv, const long qkv_off,
                                     const int T, const int C, const int NH, const int rows) {
    const int hs = C / NH;
    const int gid = get_global_id(0);
    const int row = gid / hs;
    const int i = gid % hs;
    if (row >= rows) {
        return;
    }
    int b, h, t2;
    attention_row_coords(row, T, NH, &b, &h, &t2);
    const int C3 = 3 * C;
    const float scale = 1.0f / sqrt((float) hs);
    qkv += qkv_off;
    dout += dout_off;
    const long bh = (long) (b * NH + h) * T;
    float dk = 0.0f, dv = 0.0f;
    for (int t = t2; t < T; t++) {
        const long at = (bh + t) * T + t2;
        dk = fma(dpreatt[dpreatt_off + at], qkv[(long) (b * T + t) * C3 + h * hs + i], dk);
        dv = fma(att[att_off + at], dout[(long) (b * T + t) * C + h * hs + i], dv);
    }
    __global float* d = dqkv + dqkv_off + (long) (b * T + t2) * C3 + h * hs + i;
    d[C] += scale * dk;
    d[2 * C] += dv;
}

// dbias (NH,T,T) += sum over b (ascending) of dpreatt (B,NH,T,T). global (NH*T*T).
__kernel void attention_backward_bias(__global float* dbias, const long dbias_off,
                                      __global const float* dpreatt, const long dpreatt_off,
                                      const int B, const int T, const int NH) {
    const int j = get_global_id(0);
    const int per = NH * T * T;
    if (j >= per) {
        return;
    }
    float s = 0.0f;
    for (int b = 0; b < B; b++) {
        s += dpreatt[dpreatt_off + (long) b * per + j];
    }
    dbias[dbias_off + j] += s;
}

#ifdef HS
// ---- CPU variant: one work-item per row, a head's channels in vector registers. global (B*NH*T) ----

// As attention_forward_group.
__kernel void attention_forward_row(__global float* out, const long out_off, __global float* preatt,
                                    const long preatt_off, __global float* att, const long att_off,
                                    __global const float* qkv, const long qkv_off,
                                    __global const float* bias, const long bias_off, const int has_bias,
                                    const int T, const int C, const int NH, const int rows) {
    const int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    int b, h, t;
    attention_row_coords(row, T, NH, &b, &h, &t);
    const int C3 = 3 * C;
    const float scale = 1.0f / sqrt((float) HS);
    qkv += qkv_off;
    __global const float* q = qkv + (long) (b * T + t) * C3 + h * HS;
    __global float* prow = preatt + preatt_off + (long) row * T;
    __global float* arow = att + att_off + (long) row * T;
    __global const float* brow = bias + bias_off + (long) (h * T + t) * T;

    float mx = -INFINITY;
    for (int t2 = 0; t2 <= t; t2++) {
        float s = head_dot(q, qkv + (long) (b * T + t2) * C3 + C + h * HS) * scale;
        if (has_bias) {
            s += brow[t2];
        }
        prow[t2] = s;
        mx = fmax(mx, s);
    }
    // exponentials eight at a time: a scalar exp per entry would cost more than all the dot products
    float8 sum8 = (float8) (0.0f);
    int t2 = 0;
    for (; t2 + 8 <= t + 1; t2 += 8) {
        const float8 e = exp(vload8(0, prow + t2) - mx);
        vstore8(e, 0, arow + t2);
        sum8 += e;
    }
    float sum = 0.0f;
    for (; t2 <= t; t2++) {
        const float e = exp(prow[t2] - mx);
        arow[t2] = e;
        sum += e;
    }
    const float4 s4 = sum8.lo + sum8.hi;
    const float2 s2 = s4.lo + s4.hi;
    const float inv = 1.0f / (sum + (s2.x + s2.y));
    headvec o[HN];
#pragma unroll
    for (int c = 0; c < HN; c++) {
        o[c] = (headvec) (0.0f);
    }
    for (int t2 = 0; t2 <= t; t2++) {
        const float a = arow[t2] * inv;
        arow[t2] = a;
        __global const float* v = qkv + (long) (b * T + t2) * C3 + 2 * C + h * HS;
#pragma unroll
        for (int c = 0; c < HN; c++) {
            o[c] = fma((headvec) (a), HV_LOAD(v + c * HV), o[c]);
        }
    }
    for (int t2 = t + 1; t2 < T; t2++) {
        arow[t2] = 0.0f;
        prow[t2] = 0.0f;
    }
    __global float* op = out + out_off + (long) (b * T + t) * C + h * HS;
#pragma unroll
    for (int c = 0; c < HN; c++) {
        HV_STORE(o[c], op + c * HV);
    }
}

// As attention_backward_softmax_group.
__kernel void attention_backward_softmax_row(__global float* dpreatt, const long dpreatt_off,
                                             __global float* datt, const long datt_off,
                                             __global const float* dout, const long dout_off,
                                             __global const float* qkv, const long qkv_off,
                                             __global const float* att, const long att_off,
                                             const int T, const int C, const int NH, const int rows) {
    const int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    int b, h, t;
    attention_row_coords(row, T, NH, &b, &h, &t);
    const int C3 = 3 * C;
    qkv += qkv_off;
    __global const float* dy = dout + dout_off + (long) (b * T + t) * C + h * HS;
    __global const float* arow = att + att_off + (long) row * T;
    __global float* darow = datt + datt_off + (long) row * T;
    __global float* dprow = dpreatt + dpreatt_off + (long) row * T;
    float dot = 0.0f;
    for (int t2 = 0; t2 <= t; t2++) {
        const float d = head_dot(dy, qkv + (long) (b * T + t2) * C3 + 2 * C + h * HS);
        darow[t2] = d;
        dot += arow[t2] * d;
    }
    for (int t2 = 0; t2 <= t; t2++) {
        dprow[t2] = arow[t2] * (darow[t2] - dot);
    }
    for (int t2 = t + 1; t2 < T; t2++) {
        darow[t2] = 0.0f;
        dprow[t2] = 0.0f;
    }
}

// As attention_backward_dq, for row (b, h, t): dq_t += scale * sum_{t2 <= t} dpreatt[t,t2] k_t2.
__kernel void attention_backward_dq_row(__global float* dqkv, const long dqkv_off,
                                        __global const float* dpreatt, const long dpreatt_off,
                                        __global const float* qkv, const long qkv_off,
                                        const int T, const int C, const int NH, const int rows) {
    const int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    int b, h, t;
    attention_row_coords(row, T, NH, &b, &h, &t);
    const int C3 = 3 * C;
    const float scale = 1.0f / sqrt((float) HS);
    qkv += qkv_off;
    __global const float* dprow = dpreatt + dpreatt_off + (long) row * T;
    headvec acc[HN];
#pragma unroll
    for (int c = 0; c < HN; c++) {
        acc[c] = (headvec) (0.0f);
    }
    for (int t2 = 0; t2 <= t; t2++) {
        const headvec d = (headvec) (dprow[t2]);
        __global const float* k = qkv + (long) (b * T + t2) * C3 + C + h * HS;
#pragma unroll
        for (int c = 0; c < HN; c++) {
            acc[c] = fma(d, HV_LOAD(k + c * HV), acc[c]);
        }
    }
    __global float* dq = dqkv + dqkv_off + (long) (b * T + t) * C3 + h * HS;
#pragma unroll
    for (int c = 0; c < HN; c++) {
        HV_STORE(HV_LOAD(dq + c * HV) + scale * acc[c], dq + c * HV);
    }
}

// As attention_backward_dkv, for key row (b, h, t2):
// dk_t2 += scale * sum_{t >= t2} dpreatt[t,t2] q_t,  dv_t2 += sum_{t >= t2} att[t,t2] dout_t.
__kernel void attention_backward_dkv_row(__global float* dqkv, const long dqkv_off,
                                         __global const float* dpreatt, const long dpreatt_off,
                                         __global const float* att, const long att_off,
                                         __global const float* dout, const long dout_off,
                                         __global const float* qkv, const long qkv_off,
                                         const int T, const int C, const int NH, const int rows) {
    const int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    int b, h, t2;
    attention_row_coords(row, T, NH, &b, &h, &t2);
    const int C3 = 3 * C;
    const float scale = 1.0f / sqrt((float) HS);
    qkv += qkv_off;
    dout += dout_off;
    const long bh = (long) (b * NH + h) * T;
    headvec dk[HN], dv[HN];
#pragma unroll
    for (int c = 0; c < HN; c++) {
        dk[c] = (headvec) (0.0f);
        dv[c] = (headvec) (0.0f);
    }
    for (int t = t2; t < T; t++) {
        const long at = (bh + t) * T + t2;
        const headvec dp = (headvec) (dpreatt[dpreatt_off + at]);
        const headvec a = (headvec) (att[att_off + at]);
        __global const float* q = qkv + (long) (b * T + t) * C3 + h * HS;
        __global const float* dy = dout + (long) (b * T + t) * C + h * HS;
#pragma unroll
        for (int c = 0; c < HN; c++) {
            dk[c] = fma(dp, HV_LOAD(q + c * HV), dk[c]);
            dv[c] = fma(a, HV_LOAD(dy + c * HV), dv[c]);
        }
    }
    __global float* d = dqkv + dqkv_off + (long) (b * T + t2) * C3 + h * HS;
#pragma unroll
    for (int c = 0; c < HN; c++) {
        HV_STORE(HV_LOAD(d + C + c * HV) + scale * dk[c], d + C + c * HV);
        HV_STORE(HV_LOAD(d + 2 * C + c * HV) + dv[c], d + 2 * C + c * HV);
    }
}
#endif

// Relative position schemes (B batch, T positions, C channels, NH heads, hs = C / NH, N = B*T tokens).
//
// Rotary position embedding on qkv (B,T,3C): in every head the q and k channels are rotated in interleaved pairs
// (2i, 2i+1), i in [0, hs/2), by the angle a = pos[n] * f_i with f_i = base^(-2i/hs):
//   forward:  out[2i] = x[2i] cos a - x[2i+1] sin a,  out[2i+1] = x[2i] sin a + x[2i+1] cos a;  v copied
//   backward: dqkv += R^T dout (the rotation by -a) for q and k; dqkv += dout for v
// The angle of a large position needs more than float precision: at pos = 10^4 and f_0 = 1 one float ulp of the
// angle is 10^-3, an error of that size in cos and sin, where parity with the double-precision reference allows
// 10^-6. So the host passes each f_i as an unevaluated sum of two floats (hi, lo), the kernel forms pos * f_i exactly
// as two floats with fma, and reduces it modulo 2 pi with 2 pi split into three floats (Cody-Waite); only then is a
// float sin/cos taken, of an argument in about [-pi, pi], and corrected by the part that did not fit into it. Angles
// come out accurate to a few float ulps for any |pos| < 2^24.
//
// Bucket bias: bias (NH,T,T) from a per-head table (NH,K) by bucket ids (T*T), causal entries j <= i only:
//   forward:  bias[h,i,j] = table[h, buckets[i*T + j]] (j <= i), 0 (j > i)
//   backward: dtable[h,k] += sum of dbias[h,i,j] over j <= i with buckets[i*T + j] == k
// The backward pass is a scatter-add, done without atomics: the GPU variant runs a work-group per (h, k) that scans
// every causal entry and reduces in local memory; the CPU variant sums each (h, query row) into its own K partials
// and then adds the partials of each (h, k) in row order. Bucket ids outside [0, K) read as bias 0 and are skipped
// by the backward pass (the other backends reject them; here checking would need the ids on the host).
//
// Launched by PositionKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

#define TWO_PI_1 6.28318548202514648f     // 2 pi = TWO_PI_1 + TWO_PI_2 + TWO_PI_3 to about 1e-22
#define TWO_PI_2 -1.74845553146951715e-07f
#define TWO_PI_3 -6.86049804002352750e-15f
#define INV_TWO_PI 0.159154936671257019f

// cos and sin of pos * (f.x + f.y), |pos| < 2^24.
static inline void rotary_cos_sin(const int pos, const float2 f, float* c, float* s) {
    const float p = (float) pos;                    // exact below 2^24
    const float a = p * f.x;
    const float a_err = fma(p, f.x, -a);            // p * f.x = a + a_err exactly
    const float lo = fma(p, f.y, a_err);            // the angle is a + lo
    const float k = rint(a * INV_TWO_PI);
    const float r1 = fma(-k, TWO_PI_1, a);          // exact: a and k * TWO_PI_1 agree in their leading bits
    const float d = fma(-k, TWO_PI_3, fma(-k, TWO_PI_2, lo));
    // r = r1 + d rounded, e what the rounding lost (two-sum); sin(r + e) = sin r + e cos r to first order
    const float r = r1 + d;
    const float rb = r - r1;
    const float e = (r1 - (r - rb)) + (d - rb);
    const float sr = sin(r);
    const float cr = cos(r);
    *s = fma(e, cr, sr);
    *c = fma(-e, sr, cr);
}

// out (B,T,3C) written = rotated q, k and copied v of qkv (B,T,3C); pos I32 (N); freq (hs/2) float2 (hi, lo).
// One work-item per (token, pair): it rotates that pair of q and k in every head and copies the pair of v, so one
// cos/sin serves 2*NH pairs. An elementwise kernel, the same for GPUs and CPU devices. out may be qkv.
// global (N * hs/2).
__kernel void rotary_forward(__global float* out, const long out_off, __global const float* qkv, const long qkv_off,
                             __global const int* pos, const long pos_off, __global const float2* freq,
                             const int N, const int C, const int NH) {
    const int pairs = C / NH / 2;
    const int g = get_global_id(0);
    if (g >= N * pairs) {
        return;
    }
    const int n = g / pairs;
    const int i = g % pairs;
    float c, s;
    rotary_cos_sin(pos[pos_off + n], freq[i], &c, &s);
    const long row = (long) n * 3 * C + 2 * i;
    __global const float* x = qkv + qkv_off + row;
    __global float* y = out + out_off + row;
    for (int h = 0; h < 2 * NH; h++) {   // the q heads, then the k heads: channel h * hs
        const int at = h * 2 * pairs;
        const float x0 = x[at];
        const float x1 = x[at + 1];
        y[at] = x0 * c - x1 * s;
        y[at + 1] = x0 * s + x1 * c;
    }
    for (int h = 0; h < NH; h++) {
        const int at = 2 * C + h * 2 * pairs;
        y[at] = x[at];
        y[at + 1] = x[at + 1];
    }
}

// dqkv (B,T,3C) += R^T dout for q and k, += dout for v; dout (B,T,3C); as rotary_forward. global (N * hs/2).
__kernel void rotary_backward(__global float* dqkv, const long dqkv_off, __global const float* dout,
                              const long dout_off, __global const int* pos, const long pos_off,
                              __global const float2* freq, const int N, const int C, const int NH) {
    const int pairs = C / NH / 2;
    const int g = get_global_id(0);
    if (g >= N * pairs) {
        return;
    }
    const int n = g / pairs;
    const int i = g % pairs;
    float c, s;
    rotary_cos_sin(pos[pos_off + n], freq[i], &c, &s);
    const long row = (long) n * 3 * C + 2 * i;
    __global const float* d = dout + dout_off + row;
    __global float* dx = dqkv + dqkv_off + row;
    for (int h = 0; h < 2 * NH; h++) {
        const int at = h * 2 * pairs;
        const float d0 = d[at];
        const float d1 = d[at + 1];
        dx[at] += d0 * c + d1 * s;
        dx[at + 1] += d1 * c - d0 * s;
    }
    for (int h = 0; h < NH; h++) {
        const int at = 2 * C + h * 2 * pairs;
        dx[at] += d[at];
        dx[at + 1] += d[at + 1];
    }
}

// bias (NH,T,T) written from table (NH,K) by buckets I32 (T*T); 0 above the diagonal. Both variants.
// global (NH*T*T).
__kernel void bucket_bias_forward(__global float* bias, const long bias_off, __global const float* table,
                                  const long table_off, __global const int* buckets, const long buckets_off,
                                  const int NH, const int T, const int K) {
    const int g = get_global_id(0);
    if (g >= NH * T * T) {
        return;
    }
    const int j = g % T;
    const int i = (g / T) % T;
    const int h = g / (T * T);
    float v = 0.0f;
    if (j <= i) {
        const int b = buckets[buckets_off + i * T + j];
        v = (b >= 0 && b < K) ? table[table_off + h * K + b] : 0.0f;
    }
    bias[bias_off + g] = v;
}

// GPU variant. dtable (NH,K) += dbias (NH,T,T) summed per bucket. One work-group per (h, k): the work-items stride
// over the T*T entries of head h, each summing the causal ones in bucket k, then a fixed-order tree sum.
// global (NH*K * L), local (L) a power of two; red: L floats of local memory.
__kernel void bucket_bias_backward_group(__global float* dtable, const long dtable_off,
                                         __global const float* dbias, const long dbias_off,
                                         __global const int* buckets, const long buckets_off,
                                         const int NH, const int T, const int K, __local float* red) {
    const int hk = get_group_id(0);
    const int h = hk / K;
    const int k = hk % K;
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    __global const float* d = dbias + dbias_off + (long) h * T * T;
    buckets += buckets_off;
    float s = 0.0f;
    for (int e = lid; e < T * T; e += L) {
        if (e % T <= e / T && buckets[e] == k) {
            s += d[e];
        }
    }
    s = group_sum(s, red);
    if (lid == 0) {
        dtable[dtable_off + hk] += s;
    }
}

// CPU variant, first stage. partials (NH,T,K) written: per (h, query row i) the sums of dbias[h,i,j] (NH,T,T) over
// j <= i by bucket, j ascending. global (NH*T).
__kernel void bucket_bias_row_partials(__global float* partials, __global const float* dbias, const long dbias_off,
                                       __global const int* buckets, const long buckets_off,
                                       const int NH, const int T, const int K) {
    const int hi = get_global_id(0);
    if (hi >= NH * T) {
        return;
    }
    const int i = hi % T;
    __global float* p = partials + (long) hi * K;
    for (int k = 0; k < K; k++) {
        p[k] = 0.0f;
    }
    __global const float* d = dbias + dbias_off + (long) hi * T;
    __global const int* b = buckets + buckets_off + (long) i * T;
    for (int j = 0; j <= i; j++) {
        const int k = b[j];
        if (k >= 0 && k < K) {
            p[k] += d[j];
        }
    }
}

// CPU variant, second stage. dtable (NH,K) += the partials (NH,T,K) of each (h, k), rows ascending. global (NH*K).
__kernel void bucket_bias_partials_accumulate(__global float* dtable, const long dtable_off,
                                              __global const float* partials, const int NH, const int T,
                                              const int K) {
    const int hk = get_global_id(0);
    if (hk >= NH * K) {
        return;
    }
    const int h = hk / K;
    const int k = hk % K;
    __global const float* p = partials + (long) h * T * K + k;
    float s = 0.0f;
    for (int i = 0; i < T; i++) {
        s += p[(long) i * K];
    }
    dtable[dtable_off + hk] += s;
}

// Loss and reductions: fused softmax + masked cross-entropy, greedy argmax, and the deterministic sums behind the
// loss total and the global gradient norm.
//
// Launched by LossKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

#ifndef REDUCE_CHUNK
#define REDUCE_CHUNK 4096   // elements per first-stage partial of reduce_*: fixed, so the summation order is too
#endif

// GPU variant. losses (N) written = mask[n] * -log softmax(logits[n])[targets[n]], 0 where mask is 0;
// dlogits (N,V) written when has_dlogits = dlossScale * mask[n] * (softmax - onehot(target)).
// logits (N,V); targets I32 (N); mask F32 (N). One work-group per row; global (N * L), local (L); red: L floats.
__kernel void crossentropy_forward_group(__global float* losses, const long losses_off,
                                         __global float* dlogits, const long dlogits_off, const int has_dlogits,
                                         __global const float* logits, const long logits_off,
                                         __global const int* targets, const long targets_off,
                                         __global const float* mask, const long mask_off,
                                         const float dloss_scale, const int V, __local float* red) {
    const int n = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    __global const float* x = logits + logits_off + (long) n * V;
    const float w = mask[mask_off + n];
    const int target = targets[targets_off + n];

    float mx = -INFINITY;
    for (int v = lid; v < V; v += L) {
        mx = fmax(mx, x[v]);
    }
    mx = group_max(mx, red);
    float s = 0.0f;
    for (int v = lid; v < V; v += L) {
        s += exp(x[v] - mx);
    }
    s = group_sum(s, red);
    const float logz = mx + log(s);
    if (lid == 0) {
        losses[losses_off + n] = w != 0.0f ? w * (logz - x[target]) : 0.0f;
    }
    if (has_dlogits) {
        __global float* d = dlogits + dlogits_off + (long) n * V;
        const float g = dloss_scale * w;
        const float inv = 1.0f / s;
        for (int v = lid; v < V; v += L) {
            const float p = exp(x[v] - mx) * inv;
            d[v] = w != 0.0f ? g * (p - (v == target ? 1.0f : 0.0f)) : 0.0f;
        }
    }
}

// CPU variant of crossentropy_forward_group: one work-item per row. global (N).
__kernel void crossentropy_forward_row(__global float* losses, const long losses_off,
                                       __global float* dlogits, const long dlogits_off, const int has_dlogits,
                                       __global const float* logits, const long logits_off,
                                       __global const int* targets, const long targets_off,
                                       __global const float* mask, const long mask_off,
                                       const float dloss_scale, const int V, const int N) {
    const int n = get_global_id(0);
    if (n >= N) {
        return;
    }
    __global const float* x = logits + logits_off + (long) n * V;
    const float w = mask[mask_off + n];
    const int target = targets[targets_off + n];
    float mx = -INFINITY;
    for (int v = 0; v < V; v++) {
        mx = fmax(mx, x[v]);
    }
    float s = 0.0f;
    for (int v = 0; v < V; v++) {
        s += exp(x[v] - mx);
    }
    const float logz = mx + log(s);
    losses[losses_off + n] = w != 0.0f ? w * (logz - x[target]) : 0.0f;
    if (has_dlogits) {
        __global float* d = dlogits + dlogits_off + (long) n * V;
        const float g = dloss_scale * w;
        const float inv = 1.0f / s;
        for (int v = 0; v < V; v++) {
            const float p = exp(x[v] - mx) * inv;
            d[v] = w != 0.0f ? g * (p - (v == target ? 1.0f : 0.0f)) : 0.0f;
        }
    }
}

// out I32 (N) written = index of the largest logit of row n (N,V); ties go to the smallest index (strict >).
// Rows are short (a character vocabulary), so one work-item per row suits both device types. global (N).
__kernel void argmax_rows(__global int* out, const long out_off, __global const float* logits, const long logits_off,
                          const int N, const int V) {
    const int n = get_global_id(0);
    if (n >= N) {
        return;
    }
    __global const float* x = logits + logits_off + (long) n * V;
    int best = 0;
    float bv = x[0];
    for (int v = 1; v < V; v++) {
        if (x[v] > bv) {
            bv = x[v];
            best = v;
        }
    }
    out[out_off + n] = best;
}

// ---- sum and sum of squares: partials of fixed REDUCE_CHUNK-element chunks, then one fixed-order final pass ----

// GPU variant, first stage. partials (chunks) written: work-group g reduces inp[g*REDUCE_CHUNK, ...) (squared when
// square = 1). global (chunks * L), local (L) a power of two; red: L floats.
__kernel void reduce_partials_group(__global float* partials, __global const float* inp, const long inp_off,
                                    const long N, const int square, __local float* red) {
    const long start = (long) get_group_id(0) * REDUCE_CHUNK;
    const long end = min(N, start + REDUCE_CHUNK);
    const int L = get_local_size(0);
    inp += inp_off;
    float s = 0.0f;
    for (long i = start + get_local_id(0); i < end; i += L) {
        const float x = inp[i];
        s += square ? x * x : x;
    }
    s = group_sum(s, red);
    if (get_local_id(0) == 0) {
        partials[get_group_id(0)] = s;
    }
}

// GPU variant, final stage. out (1) written = sum of partials (chunks). One work-group; global = local = (L).
__kernel void reduce_final_group(__global float* out, const long out_off, __global const float* partials,
                                 const int chunks, __local float* red) {
    float s = 0.0f;
    for (int i = get_local_id(0); i < chunks; i += get_local_size(0)) {
        s += partials[i];
    }
    s = group_sum(s, red);
    if (get_local_id(0) == 0) {
        out[out_off] = s;
    }
}

// CPU variant, first stage: one work-item per chunk, eight float8 lanes of running sums. global (chunks).
__kernel void reduce_partials_row(__global float* partials, __global const float* inp, const long inp_off,
                                  const long N, const int square, const int chunks) {
    const int g = get_global_id(0);
    if (g >= chunks) {
        return;
    }
    const long start = (long) g * REDUCE_CHUNK;
    const long end = min(N, start + REDUCE_CHUNK);
    __global const float* x = inp + inp_off;
    float8 acc = (float8) (0.0f);
    long i = start;
    for (; i + 8 <= end; i += 8) {
        const float8 v = vload8(0, x + i);
        acc += square ? v * v : v;
    }
    float s = ((acc.s0 + acc.s1) + (acc.s2 + acc.s3)) + ((acc.s4 + acc.s5) + (acc.s6 + acc.s7));
    for (; i < end; i++) {
        s += square ? x[i] * x[i] : x[i];
    }
    partials[g] = s;
}

// CPU variant, final stage: one work-item adds the partials in order. global (1).
__kernel void reduce_final_row(__global float* out, const long out_off, __global const float* partials,
                               const int chunks) {
    float s = 0.0f;
    for (int i = 0; i < chunks; i++) {
        s += partials[i];
    }
    out[out_off] = s;
}

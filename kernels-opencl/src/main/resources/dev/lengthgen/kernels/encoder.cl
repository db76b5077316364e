// Token + learned absolute position embedding, looked up by explicit position ids.
//   forward:  out[n] = wte[tokens[n]] + wpe[posIds[n]]
//   backward: dwte[v] += sum of dout[n] over rows with tokens[n] == v (and dwpe likewise by position id)
// The backward pass is a scatter-add, which would need float atomics if done per row. Instead rows are bucketed by
// id (encoder_bucket, a counting sort with rows kept in ascending order) and each (id, channel) sums its own bucket
// (encoder_bucket_accumulate): no atomics and a fixed summation order. Both kernels suit GPUs and CPUs alike.
//
// Launched by EncoderKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

// out (N,C) written; tokens, pos I32 (N); wte (V,C); wpe (P,C) or none. global (C, N).
__kernel void encoder_forward(__global float* out, const long out_off,
                              __global const int* tokens, const long tokens_off,
                              __global const int* pos, const long pos_off,
                              __global const float* wte, const long wte_off,
                              __global const float* wpe, const long wpe_off, const int has_wpe,
                              const int N, const int C) {
    const int c = get_global_id(0);
    const int n = get_global_id(1);
    if (c >= C || n >= N) {
        return;
    }
    float x = wte[wte_off + (long) tokens[tokens_off + n] * C + c];
    if (has_wpe) {
        x += wpe[wpe_off + (long) pos[pos_off + n] * C + c];
    }
    out[out_off + (long) n * C + c] = x;
}

// Buckets rows by id: for each id v in [0, V), order[start[v] ..] written = the rows n (ascending) with
// ids[n] == v, and range (V,2) written = (start, end). start is the number of rows with a smaller id, so no separate
// prefix-sum pass is needed. ids I32 (N); ids outside [0, V) are skipped. global (V).
__kernel void encoder_bucket(__global int* order, __global int* range, __global const int* ids, const long ids_off,
                             const int N, const int V) {
    const int v = get_global_id(0);
    if (v >= V) {
        return;
    }
    ids += ids_off;
    int start = 0;
    for (int n = 0; n < N; n++) {
        const int id = ids[n];
        start += (id >= 0 && id < v) ? 1 : 0;
    }
    int k = start;
    for (int n = 0; n < N; n++) {
        if (ids[n] == v) {
            order[k++] = n;
        }
    }
    range[2 * v] = start;
    range[2 * v + 1] = k;
}

// dw (V,C) += per id v the sum of dout[n] (N,C) over v's bucket, rows ascending. global (C, V).
__kernel void encoder_bucket_accumulate(__global float* dw, const long dw_off,
                                        __global const float* dout, const long dout_off,
                                        __global const int* order, __global const int* range, const int C,
                                        const int V) {
    const int c = get_global_id(0);
    const int v = get_global_id(1);
    if (c >= C || v >= V) {
        return;
    }
    const int end = range[2 * v + 1];
    int k = range[2 * v];
    if (k == end) {
        return;
    }
    dout += dout_off;
    float s = 0.0f;
    for (; k < end; k++) {
        s += dout[(long) order[k] * C + c];
    }
    dw[dw_off + (long) v * C + c] += s;
}

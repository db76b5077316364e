// Layer normalization over the last dimension, eps = 1e-5:
//   out = (inp - mean) * rstd * weight + bias,  rstd = 1 / sqrt(var + eps), var the biased variance.
// Backward (llm.c's form), with norm = (inp - mean) * rstd and g = weight * dout:
//   dinp += (g - mean_c(g) - norm * mean_c(g * norm)) * rstd
//   dweight += sum_n dout * norm,  dbias += sum_n dout   (layernorm_param_partials + column_partials_accumulate)
//
// Launched by LayernormKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.

#ifndef COLSUM_ROWS
#define COLSUM_ROWS 64   // rows per partial sum in layernorm_param_partials
#endif

#define LN_EPS 1e-5f

// GPU variant. out (N,C) written, mean (N) written, rstd (N) written; inp (N,C), weight (C), bias (C) or none.
// One work-group per row; global (N * L), local (L), L a power of two; red: L floats of local memory.
__kernel void layernorm_forward_group(__global float* out, const long out_off, __global float* mean,
                                      const long mean_off, __global float* rstd, const long rstd_off,
                                      __global const float* inp, const long inp_off,
                                      __global const float* weight, const long weight_off,
                                      __global const float* bias, const long bias_off, const int has_bias,
                                      const int C, __local float* red) {
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    __global const float* x = inp + inp_off + (long) row * C;
    __global float* o = out + out_off + (long) row * C;
    weight += weight_off;
    bias += bias_off;

    float s = 0.0f;
    for (int c = lid; c < C; c += L) {
        s += x[c];
    }
    const float m = group_sum(s, red) / C;
    float v = 0.0f;
    for (int c = lid; c < C; c += L) {
        const float d = x[c] - m;
        v += d * d;
    }
    const float rs = 1.0f / sqrt(group_sum(v, red) / C + LN_EPS);
    for (int c = lid; c < C; c += L) {
        const float y = (x[c] - m) * rs * weight[c];
        o[c] = has_bias ? y + bias[c] : y;
    }
    if (lid == 0) {
        mean[mean_off + row] = m;
        rstd[rstd_off + row] = rs;
    }
}

// CPU variant of layernorm_forward_group: one work-item per row. global (N).
__kernel void layernorm_forward_row(__global float* out, const long out_off, __global float* mean,
                                    const long mean_off, __global float* rstd, const long rstd_off,
                                    __global const float* inp, const long inp_off,
                                    __global const float* weight, const long weight_off,
                                    __global const float* bias, const long bias_off, const int has_bias,
                                    const int C, const int N) {
    const int row = get_global_id(0);
    if (row >= N) {
        return;
    }
    __global const float* x = inp + inp_off + (long) row * C;
    __global float* o = out + out_off + (long) row * C;
    weight += weight_off;
    bias += bias_off;
    float s = 0.0f;
    for (int c = 0; c < C; c++) {
        s += x[c];
    }
    const float m = s / C;
    float v = 0.0f;
    for (int c = 0; c < C; c++) {
        const float d = x[c] - m;
        v += d * d;
    }
    const float rs = 1.0f / sqrt(v / C + LN_EPS);
    for (int c = 0; c < C; c++) {
        const float y = (x[c] - m) * rs * weight[c];
        o[c] = has_bias ? y + bias[c] : y;
    }
    mean[mean_off + row] = m;
    rstd[rstd_off + row] = rs;
}

// GPU variant. dinp (N,C) +=, from dout (N,C), inp (N,C), weight (C), mean (N), rstd (N).
// One work-group per row; global (N * L), local (L); red: L floats of local memory.
__kernel void layernorm_backward_input_group(__global float* dinp, const long dinp_off,
                                             __global const float* dout, const long dout_off,
                                             __global const float* inp, const long inp_off,
                                             __global const float* weight, const long weight_off,
                                             __global const float* mean, const long mean_off,
                                             __global const float* rstd, const long rstd_off,
                                             const int C, __local float* red) {
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    __global const float* x = inp + inp_off + (long) row * C;
    __global const float* dy = dout + dout_off + (long) row * C;
    __global float* dx = dinp + dinp_off + (long) row * C;
    weight += weight_off;
    const float m = mean[mean_off + row];
    const float rs = rstd[rstd_off + row];

    float sg = 0.0f, sgn = 0.0f;
    for (int c = lid; c < C; c += L) {
        const float g = weight[c] * dy[c];
        sg += g;
        sgn += g * (x[c] - m) * rs;
    }
    const float gmean = group_sum(sg, red) / C;
    const float gnmean = group_sum(sgn, red) / C;
    for (int c = lid; c < C; c += L) {
        const float norm = (x[c] - m) * rs;
        dx[c] += (weight[c] * dy[c] - gmean - norm * gnmean) * rs;
    }
}

// CPU variant of layernorm_backward_input_group: one work-item per row. global (N).
__kernel void layernorm_backward_input_row(__global float* dinp, const long dinp_off,
                                           __global const float* dout, const long dout_off,
                                           __global const float* inp, const long inp_off,
                                           __global const float* weight, const long weight_off,
                                           __global const float* mean, const long mean_off,
                                           __global const float* rstd, const long rstd_off,
                                           const int C, const int N) {
    const int row = get_global_id(0);
    if (row >= N) {
        return;
    }
    __global const float* x = inp + inp_off + (long) row * C;
    __global const float* dy = dout + dout_off + (long) row * C;
    __global float* dx = dinp + dinp_off + (long) row * C;
    weight += weight_off;
    const float m = mean[mean_off + row];
    const float rs = rstd[rstd_off + row];
    float sg = 0.0f, sgn = 0.0f;
    for (int c = 0; c < C; c++) {
        const float g = weight[c] * dy[c];
        sg += g;
        sgn += g * (x[c] - m) * rs;
    }
    const float gmean = sg / C;
    const float gnmean = sgn / C;
    for (int c = 0; c < C; c++) {
        const float norm = (x[c] - m) * rs;
        dx[c] += (weight[c] * dy[c] - gmean - norm * gnmean) * rs;
    }
}

// First stage of dweight (C) += sum_n dout * norm and dbias (C) += sum_n dout: partials (2, chunks, C) written,
// [0] for dweight and [1] for dbias, chunk k summing rows [k*COLSUM_ROWS, (k+1)*COLSUM_ROWS) in order.
// global (C, chunks); neighbouring work-items read neighbouring columns. Then column_partials_accumulate per output.
__kernel void layernorm_param_partials(__global float* partials, __global const float* dout, const long dout_off,
                                       __global const float* inp, const long inp_off,
                                       __global const float* mean, const long mean_off,
                                       __global const float* rstd, const long rstd_off,
                                       const int N, const int C, const int chunks) {
    const int c = get_global_id(0);
    const int chunk = get_global_id(1);
    if (c >= C) {
        return;
    }
    dout += dout_off;
    inp += inp_off;
    mean += mean_off;
    rstd += rstd_off;
    const int end = min(N, (chunk + 1) * COLSUM_ROWS);
    float sw = 0.0f, sb = 0.0f;
    for (int n = chunk * COLSUM_ROWS; n < end; n++) {
        const float dy = dout[(long) n * C + c];
        sw += dy * ((inp[(long) n * C + c] - mean[n]) * rstd[n]);
        sb += dy;
    }
    partials[(long) chunk * C + c] = sw;
    partials[((long) chunks + chunk) * C + c] = sb;
}

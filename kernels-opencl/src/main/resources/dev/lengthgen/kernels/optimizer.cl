// AdamW with global-norm gradient clipping, in place, one work-item per parameter (GPU and CPU alike).
// params, grads, m, v (N); norm_sq (1) = the sum of squares of all gradients (from reduce_*), read on the device so
// the step needs no round trip to the host.
//   clip = max_norm > 0 ? min(1, max_norm / (sqrt(norm_sq) + 1e-6)) : 1;  g = clip * grad
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   param -= lr (m / bc1 / (sqrt(v / bc2) + eps) + weight_decay param),  bc1 = 1 - b1^t, bc2 = 1 - b2^t (host)
// global (N) rounded up to the local size.
//
// Launched by OptimizerKernels (engine, dev.lengthgen.engine.opencl); the kernel names are listed in Kernel there.
__kernel void adamw(__global float* params, const long params_off, __global const float* grads, const long grads_off,
                    __global float* m, const long m_off, __global float* v, const long v_off,
                    __global const float* norm_sq, const long norm_sq_off, const int has_norm,
                    const float max_norm, const float lr, const float beta1, const float beta2, const float eps,
                    const float weight_decay, const float bc1, const float bc2, const long N) {
    const long i = get_global_id(0);
    if (i >= N) {
        return;
    }
    float clip = 1.0f;
    if (has_norm && max_norm > 0.0f) {
        clip = fmin(1.0f, max_norm / (sqrt(norm_sq[norm_sq_off]) + 1e-6f));
    }
    const float g = grads[grads_off + i] * clip;
    const float mi = beta1 * m[m_off + i] + (1.0f - beta1) * g;
    const float vi = beta2 * v[v_off + i] + (1.0f - beta2) * g * g;
    m[m_off + i] = mi;
    v[v_off + i] = vi;
    const float p = params[params_off + i];
    params[params_off + i] = p - lr * ((mi / bc1) / (sqrt(vi / bc2) + eps) + weight_decay * p);
}

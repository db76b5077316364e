// Prelude compiled in front of every kernel family: helpers shared by several families.
// Its own kernel is launched by CommonKernels, every family's by the launcher of the same name (engine, package
// dev.lengthgen.engine.opencl: matmul.cl by MatmulKernels, ...); kernel names are listed in Kernel there.
//
// Conventions of every kernel in this directory:
// - A tensor argument is a buffer plus an element offset ("x, x_off"): tensors are views into a few large
//   allocations, and offsets are passed as arguments rather than as sub-buffers, whose alignment rules do not
//   allow arbitrary offsets.
// - A nullable tensor comes with a flag ("has_bias"); when the flag is 0 the buffer is a placeholder, never read.
// - Backward kernels ACCUMULATE (+=) into gradients; scratch tensors are overwritten.
// - No float atomics anywhere: every reduction runs in a fixed order, so a run repeats bit for bit.
// - Two variants where the shape of the work matters: "_group" / "_tiled" kernels are written for GPUs (a
//   work-group cooperates through local memory), "_row" / "_rowblock" kernels for CPU devices (one work-item walks a
//   whole row or row block with explicit vectors). The host picks by CL_DEVICE_TYPE; both compute the same thing.

// Sum of x over the work-group, in a fixed tree order. The local size must be a power of two; scratch holds one
// float per work-item. Every work-item of the group must call it (it contains barriers).
static inline float group_sum(float x, __local float* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = x;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] += scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// Maximum of x over the work-group; same contract as group_sum.
static inline float group_max(float x, __local float* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = x;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = fmax(scratch[lid], scratch[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// Second stage of a deterministic column sum (layernorm dweight/dbias, matmul dbias): the first stage wrote one
// partial sum per (chunk of rows, column) into partials (chunks, cols); this adds them, chunk 0 first, into dst.
// dst (cols) +=. global (cols).
__kernel void column_partials_accumulate(__global float* dst, const long dst_off,
                                         __global const float* partials, const long partials_off,
                                         const int chunks, const int cols) {
    const int c = get_global_id(0);
    if (c >= cols) {
        return;
    }
    float s = 0.0f;
    for (int k = 0; k < chunks; k++) {
        s += partials[partials_off + (long) k * cols + c];
    }
    dst[dst_off + c] += s;
}

// ---- head vectors: the CPU attention kernels hold a head's hs channels as HN = HS/HV vectors of HV floats in
// registers. Families built per head size (attention, decode) get -DHS=hs -DHV=w, w the widest of 16, 8, 4, 1
// that divides hs. ----
#ifdef HS
#if HV == 16
typedef float16 headvec;
#define HV_LOAD(p) vload16(0, (p))
#define HV_STORE(v, p) vstore16((v), 0, (p))
static inline float hv_sum(const float16 v) {
    const float8 a = v.lo + v.hi;
    const float4 b = a.lo + a.hi;
    const float2 c = b.lo + b.hi;
    return c.x + c.y;
}
#elif HV == 8
typedef float8 headvec;
#define HV_LOAD(p) vload8(0, (p))
#define HV_STORE(v, p) vstore8((v), 0, (p))
static inline float hv_sum(const float8 v) {
    const float4 b = v.lo + v.hi;
    const float2 c = b.lo + b.hi;
    return c.x + c.y;
}
#elif HV == 4
typedef float4 headvec;
#define HV_LOAD(p) vload4(0, (p))
#define HV_STORE(v, p) vstore4((v), 0, (p))
static inline float hv_sum(const float4 v) {
    const float2 c = v.lo + v.hi;
    return c.x + c.y;
}
#else
typedef float headvec;
#define HV_LOAD(p) (*(p))
#define HV_STORE(v, p) (*(p) = (v))
static inline float hv_sum(const float v) {
    return v;
}
#endif
#define HN (HS / HV)

// a . b over one head's channels.
static inline float head_dot(__global const float* a, __global const float* b) {
    headvec acc = (headvec) (0.0f);
#pragma unroll
    for (int c = 0; c < HN; c++) {
        acc = fma(HV_LOAD(a + c * HV), HV_LOAD(b + c * HV), acc);
    }
    return hv_sum(acc);
}
#endif

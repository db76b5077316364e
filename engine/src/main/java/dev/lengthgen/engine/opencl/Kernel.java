package dev.lengthgen.engine.opencl;

import java.util.Locale;

/**
 * Every kernel the backend launches: the one place its name is written. The name in the .cl source is the constant
 * in lower case ({@link #clName()}); a test holds this list and the sources' {@code __kernel} functions equal.
 * "_group" and "_tiled" kernels are the GPU variant, "_row", "_rowblock", "_vec" and the packing kernels the CPU
 * variant (see {@link KernelVariant}); the rest serve both.
 */
public enum Kernel {
    COLUMN_PARTIALS_ACCUMULATE(KernelFamily.COMMON),

    ENCODER_FORWARD(KernelFamily.ENCODER),
    ENCODER_BUCKET(KernelFamily.ENCODER),
    ENCODER_BUCKET_ACCUMULATE(KernelFamily.ENCODER),

    LAYERNORM_FORWARD_GROUP(KernelFamily.LAYERNORM),
    LAYERNORM_FORWARD_ROW(KernelFamily.LAYERNORM),
    LAYERNORM_BACKWARD_INPUT_GROUP(KernelFamily.LAYERNORM),
    LAYERNORM_BACKWARD_INPUT_ROW(KernelFamily.LAYERNORM),
    LAYERNORM_PARAM_PARTIALS(KernelFamily.LAYERNORM),

    GEMM_TILED(KernelFamily.MATMUL),
    PACK_ROW_PANELS(KernelFamily.MATMUL),
    PACK_COLUMN_PANELS(KernelFamily.MATMUL),
    GEMM_ROWBLOCK(KernelFamily.MATMUL),
    MATMUL_BIAS_PARTIALS(KernelFamily.MATMUL),

    ATTENTION_FORWARD_GROUP(KernelFamily.ATTENTION),
    ATTENTION_BACKWARD_SOFTMAX_GROUP(KernelFamily.ATTENTION),
    ATTENTION_BACKWARD_DQ(KernelFamily.ATTENTION),
    ATTENTION_BACKWARD_DKV(KernelFamily.ATTENTION),
    ATTENTION_BACKWARD_BIAS(KernelFamily.ATTENTION),
    ATTENTION_FORWARD_ROW(KernelFamily.ATTENTION, true),
    ATTENTION_BACKWARD_SOFTMAX_ROW(KernelFamily.ATTENTION, true),
    ATTENTION_BACKWARD_DQ_ROW(KernelFamily.ATTENTION, true),
    ATTENTION_BACKWARD_DKV_ROW(KernelFamily.ATTENTION, true),

    ROTARY_FORWARD(KernelFamily.POSITION),
    ROTARY_BACKWARD(KernelFamily.POSITION),
    BUCKET_BIAS_FORWARD(KernelFamily.POSITION),
    BUCKET_BIAS_BACKWARD_GROUP(KernelFamily.POSITION),
    BUCKET_BIAS_ROW_PARTIALS(KernelFamily.POSITION),
    BUCKET_BIAS_PARTIALS_ACCUMULATE(KernelFamily.POSITION),

    GELU_FORWARD(KernelFamily.ELEMENTWISE),
    GELU_FORWARD_VEC(KernelFamily.ELEMENTWISE),
    GELU_BACKWARD(KernelFamily.ELEMENTWISE),
    GELU_BACKWARD_VEC(KernelFamily.ELEMENTWISE),
    RESIDUAL_FORWARD(KernelFamily.ELEMENTWISE),
    RESIDUAL_BACKWARD(KernelFamily.ELEMENTWISE),
    DROPOUT_FORWARD(KernelFamily.ELEMENTWISE),
    DROPOUT_FORWARD_VEC(KernelFamily.ELEMENTWISE),
    DROPOUT_BACKWARD(KernelFamily.ELEMENTWISE),
    DROPOUT_BACKWARD_VEC(KernelFamily.ELEMENTWISE),
    GATHER_ROWS_FORWARD(KernelFamily.ELEMENTWISE),
    GATHER_ROWS_BACKWARD(KernelFamily.ELEMENTWISE),
    COPY_WORDS(KernelFamily.ELEMENTWISE),
    FILL_WORDS(KernelFamily.ELEMENTWISE),

    CROSSENTROPY_FORWARD_GROUP(KernelFamily.LOSS),
    CROSSENTROPY_FORWARD_ROW(KernelFamily.LOSS),
    ARGMAX_ROWS(KernelFamily.LOSS),
    REDUCE_PARTIALS_GROUP(KernelFamily.LOSS),
    REDUCE_FINAL_GROUP(KernelFamily.LOSS),
    REDUCE_PARTIALS_ROW(KernelFamily.LOSS),
    REDUCE_FINAL_ROW(KernelFamily.LOSS),

    ADAMW(KernelFamily.OPTIMIZER),

    KV_CACHE_STORE(KernelFamily.DECODE),
    ATTENTION_DECODE_GROUP(KernelFamily.DECODE),
    ATTENTION_DECODE_ROW(KernelFamily.DECODE, true);

    private final KernelFamily family;
    private final boolean perHeadSize;
    private final String clName;

    Kernel(KernelFamily family) {
        this(family, false);
    }

    Kernel(KernelFamily family, boolean perHeadSize) {
        this.family = family;
        this.perHeadSize = perHeadSize;
        this.clName = name().toLowerCase(Locale.ROOT);
    }

    /** The source file that defines it. */
    public KernelFamily family() {
        return family;
    }

    /**
     * Whether it exists only in a build for one head size (-DHS, see {@link KernelBuildOptions#forHeads}): the CPU
     * attention kernels, which hold a head's channels in registers.
     */
    public boolean perHeadSize() {
        return perHeadSize;
    }

    /** The function name in the source, e.g. "gemm_tiled". */
    public String clName() {
        return clName;
    }
}

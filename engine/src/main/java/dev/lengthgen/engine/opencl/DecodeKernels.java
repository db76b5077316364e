package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * Launches decode.cl: storing k and v into the cache (both variants), and one decoding step's attention in the
 * variant chosen once per backend: a work-group per (b, h) reducing in local memory (GPU), or a work-item per
 * (b, h) holding the head in vector registers from a build for the head size (CPU).
 */
abstract class DecodeKernels {
    final KernelLauncher launcher;

    private DecodeKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    static DecodeKernels of(KernelVariant variant, KernelLauncher launcher) {
        return variant == KernelVariant.GPU ? new Group(launcher) : new Row(launcher);
    }

    void kvCacheStore(View kcache, View vcache, View qkv, int B, int T, int C, int NH, int maxT, int pos0) {
        launcher.call(Kernel.KV_CACHE_STORE).view(kcache).view(vcache).view(qkv).intArg(B).intArg(T).intArg(C)
                .intArg(NH).intArg(maxT).intArg(pos0).runElementwise((long) B * T * C);
    }

    void attentionDecode(View out, View qkv, View kcache, View vcache, View bias, int B, int C, int NH, int maxT,
                         int pos) {
        int bnh = KernelLauncher.intSize((long) B * NH, "attentionDecode heads");
        cl_mem scores = launcher.scratch("decode.scores", (long) bnh * maxT * Sizeof.cl_float);
        attend(out, qkv, kcache, vcache, bias, scores, bnh, C, NH, maxT, pos);
    }

    /** out written from scores (B*NH, maxT), scratch. */
    abstract void attend(View out, View qkv, View kcache, View vcache, View bias, cl_mem scores, int bnh, int C,
                         int NH, int maxT, int pos);

    /** GPU variant. */
    private static final class Group extends DecodeKernels {
        Group(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        void attend(View out, View qkv, View kcache, View vcache, View bias, cl_mem scores, int bnh, int C, int NH,
                    int maxT, int pos) {
            KernelCall k = launcher.call(Kernel.ATTENTION_DECODE_GROUP);
            int l = k.reductionGroup(Math.max(pos + 1, C / NH));
            k.view(out).view(qkv).view(kcache).view(vcache).view(bias).flag(bias != null).buffer(scores).intArg(C)
                    .intArg(NH).intArg(maxT).intArg(pos).localFloats(l).runGroups(bnh, l);
        }
    }

    /** CPU variant. */
    private static final class Row extends DecodeKernels {
        Row(KernelLauncher launcher) {
            super(launcher);
        }

        @Override
        void attend(View out, View qkv, View kcache, View vcache, View bias, cl_mem scores, int bnh, int C, int NH,
                    int maxT, int pos) {
            launcher.call(Kernel.ATTENTION_DECODE_ROW, C / NH).view(out).view(qkv).view(kcache).view(vcache)
                    .view(bias).flag(bias != null).buffer(scores).intArg(C).intArg(NH).intArg(maxT).intArg(pos)
                    .intArg(bnh).runRows(bnh);
        }
    }
}

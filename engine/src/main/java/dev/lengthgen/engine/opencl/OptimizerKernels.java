package dev.lengthgen.engine.opencl;

import dev.lengthgen.engine.View;

/** Launches optimizer.cl: AdamW with the clip factor read from the gradient norm on the device. Both variants. */
final class OptimizerKernels {
    private final KernelLauncher launcher;

    OptimizerKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void adamw(View params, View grads, View m, View v, View normSquared, float maxNorm, float lr, float beta1,
               float beta2, float eps, float weightDecay, int t, long N) {
        float bc1 = (float) (1.0 - Math.pow(beta1, t));
        float bc2 = (float) (1.0 - Math.pow(beta2, t));
        launcher.call(Kernel.ADAMW).view(params).view(grads).view(m).view(v).view(normSquared)
                .flag(normSquared != null).floatArg(maxNorm).floatArg(lr).floatArg(beta1).floatArg(beta2)
                .floatArg(eps).floatArg(weightDecay).floatArg(bc1).floatArg(bc2).longArg(N).runElementwise(N);
    }
}

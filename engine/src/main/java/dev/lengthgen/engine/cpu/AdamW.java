package dev.lengthgen.engine.cpu;

import jdk.incubator.vector.FloatVector;

import static dev.lengthgen.engine.cpu.VectorMath.LANES;
import static dev.lengthgen.engine.cpu.VectorMath.S;

/**
 * AdamW with gradient clipping in one sweep over the flat parameter, gradient and moment buffers: each element is
 * read once and written once (params, m, v).
 * <pre>
 * g = grad * clip;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 * param -= lr * (m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps) + wd * param)
 * </pre>
 */
final class AdamW implements WorkerPool.Task {
    static final int CHUNK = 1 << 14;

    private final WorkerPool pool;
    private float[] params, grads, m, v;
    private int po, go, mo, vo;
    private long n;
    private float clip, lr, b1, b2, eps, wd, c1, c2;

    AdamW(WorkerPool pool) {
        this.pool = pool;
    }

    void update(float[] params, int po, float[] grads, int go, float[] m, int mo, float[] v, int vo, float clip,
                float lr, float beta1, float beta2, float eps, float weightDecay, int t, long n) {
        this.params = params;
        this.po = po;
        this.grads = grads;
        this.go = go;
        this.m = m;
        this.mo = mo;
        this.v = v;
        this.vo = vo;
        this.n = n;
        this.clip = clip;
        this.lr = lr;
        this.b1 = beta1;
        this.b2 = beta2;
        this.eps = eps;
        this.wd = weightDecay;
        this.c1 = (float) (1.0 / (1.0 - Math.pow(beta1, t)));
        this.c2 = (float) (1.0 / (1.0 - Math.pow(beta2, t)));
        try {
            pool.forEach((int) ((n + CHUNK - 1) / CHUNK), this);
        } finally {
            this.params = this.grads = this.m = this.v = null;
        }
    }

    @Override
    public void run(int task, int worker) {
        int from = task * CHUNK;
        int to = (int) Math.min(n, (long) from + CHUNK);
        float ob1 = 1f - b1, ob2 = 1f - b2;
        FloatVector vclip = FloatVector.broadcast(S, clip);
        FloatVector vb1 = FloatVector.broadcast(S, b1), vob1 = FloatVector.broadcast(S, ob1);
        FloatVector vb2 = FloatVector.broadcast(S, b2), vob2 = FloatVector.broadcast(S, ob2);
        FloatVector vc1 = FloatVector.broadcast(S, c1), vc2 = FloatVector.broadcast(S, c2);
        FloatVector veps = FloatVector.broadcast(S, eps), vwd = FloatVector.broadcast(S, wd);
        FloatVector vlr = FloatVector.broadcast(S, lr);
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector g = FloatVector.fromArray(S, grads, go + i).mul(vclip);
            FloatVector mi = FloatVector.fromArray(S, m, mo + i).mul(vb1).add(g.mul(vob1));
            FloatVector vi = FloatVector.fromArray(S, v, vo + i).mul(vb2).add(g.mul(g).mul(vob2));
            FloatVector p = FloatVector.fromArray(S, params, po + i);
            FloatVector step = mi.mul(vc1).div(vi.mul(vc2).sqrt().add(veps)).add(p.mul(vwd));
            p.sub(step.mul(vlr)).intoArray(params, po + i);
            mi.intoArray(m, mo + i);
            vi.intoArray(v, vo + i);
        }
        for (; i < to; i++) {
            float g = grads[go + i] * clip;
            float mi = m[mo + i] * b1 + g * ob1;
            float vi = v[vo + i] * b2 + g * g * ob2;
            float p = params[po + i];
            float step = mi * c1 / ((float) Math.sqrt(vi * c2) + eps) + p * wd;
            params[po + i] = p - step * lr;
            m[mo + i] = mi;
            v[vo + i] = vi;
        }
    }
}

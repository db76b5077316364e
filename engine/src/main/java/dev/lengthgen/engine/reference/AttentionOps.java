package dev.lengthgen.engine.reference;

import dev.lengthgen.engine.View;

/**
 * Causal multi-head self-attention (llm.c's attention_forward/backward) with an optional additive bias (NH,T,T) on
 * the pre-softmax scores, the hook for relative-position schemes. hs = C / NH; scale = 1 / sqrt(hs).
 * Index helpers: qkv[b,t,which*C + h*hs + i], preatt/att[((b*NH + h)*T + t)*T + t2].
 */
final class AttentionOps {
    private AttentionOps() {
    }

    /**
     * out (B,T,C), preatt (B,NH,T,T), att (B,NH,T,T) written, from qkv (B,T,3C) and bias (NH,T,T) or null.
     * Entries t2 > t of preatt and att are written 0.
     */
    static void forward(View out, View preatt, View att, View qkv, View bias, int B, int T, int C, int NH) {
        double[] o = ReferenceBackend.f(out), pre = ReferenceBackend.f(preatt), a = ReferenceBackend.f(att);
        double[] x = ReferenceBackend.f(qkv);
        double[] bi = bias == null ? null : ReferenceBackend.f(bias);
        int oo = (int) out.offset(), po = (int) preatt.offset(), ao = (int) att.offset(), xo = (int) qkv.offset();
        int bio = bias == null ? 0 : (int) bias.offset();
        int hs = C / NH, C3 = 3 * C;
        double scale = 1.0 / Math.sqrt(hs);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int h = 0; h < NH; h++) {
                    int q = xo + (b * T + t) * C3 + h * hs;
                    int row = ((b * NH + h) * T + t) * T;
                    // scores and their max, for a stable softmax
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t2 = 0; t2 <= t; t2++) {
                        int k = xo + (b * T + t2) * C3 + C + h * hs;
                        double dot = 0;
                        for (int i = 0; i < hs; i++) {
                            dot += x[q + i] * x[k + i];
                        }
                        double s = dot * scale + (bi == null ? 0 : bi[bio + (h * T + t) * T + t2]);
                        pre[po + row + t2] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        double e = Math.exp(pre[po + row + t2] - max);
                        a[ao + row + t2] = e;
                        sum += e;
                    }
                    for (int t2 = 0; t2 < T; t2++) {
                        if (t2 <= t) {
                            a[ao + row + t2] /= sum;
                        } else {
                            pre[po + row + t2] = 0;
                            a[ao + row + t2] = 0;
                        }
                    }
                    // out = att . v
                    int oRow = oo + (b * T + t) * C + h * hs;
                    for (int i = 0; i < hs; i++) {
                        o[oRow + i] = 0;
                    }
                    for (int t2 = 0; t2 <= t; t2++) {
                        int v = xo + (b * T + t2) * C3 + 2 * C + h * hs;
                        double w = a[ao + row + t2];
                        for (int i = 0; i < hs; i++) {
                            o[oRow + i] += w * x[v + i];
                        }
                    }
                }
            }
        }
    }

    /**
     * dqkv (B,T,3C) +=; datt, dpreatt (B,NH,T,T) written (0 for t2 > t); dbias (NH,T,T) += dpreatt summed over the
     * batch, or null. From dout (B,T,C), qkv (B,T,3C), att (B,NH,T,T).
     * Softmax backward: dpreatt[t2] = att[t2] (datt[t2] - sum_t3 att[t3] datt[t3]).
     */
    static void backward(View dqkv, View dpreatt, View datt, View dbias, View dout, View qkv, View att,
                         int B, int T, int C, int NH) {
        double[] dx = ReferenceBackend.f(dqkv), dpre = ReferenceBackend.f(dpreatt), da = ReferenceBackend.f(datt);
        double[] dy = ReferenceBackend.f(dout), x = ReferenceBackend.f(qkv), a = ReferenceBackend.f(att);
        double[] dbi = dbias == null ? null : ReferenceBackend.f(dbias);
        int dxo = (int) dqkv.offset(), dpo = (int) dpreatt.offset(), dao = (int) datt.offset();
        int dyo = (int) dout.offset(), xo = (int) qkv.offset(), ao = (int) att.offset();
        int dbio = dbias == null ? 0 : (int) dbias.offset();
        int hs = C / NH, C3 = 3 * C;
        double scale = 1.0 / Math.sqrt(hs);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int h = 0; h < NH; h++) {
                    int row = ((b * NH + h) * T + t) * T;
                    int dyRow = dyo + (b * T + t) * C + h * hs;
                    // out = att . v: datt[t2] = v[t2] . dout, dv[t2] += att[t2] dout
                    for (int t2 = 0; t2 < T; t2++) {
                        da[dao + row + t2] = 0;
                        dpre[dpo + row + t2] = 0;
                    }
                    for (int t2 = 0; t2 <= t; t2++) {
                        int v = (b * T + t2) * C3 + 2 * C + h * hs;
                        double dot = 0;
                        for (int i = 0; i < hs; i++) {
                            dot += x[xo + v + i] * dy[dyRow + i];
                            dx[dxo + v + i] += a[ao + row + t2] * dy[dyRow + i];
                        }
                        da[dao + row + t2] = dot;
                    }
                    // softmax
                    double weighted = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        weighted += a[ao + row + t2] * da[dao + row + t2];
                    }
                    for (int t2 = 0; t2 <= t; t2++) {
                        double g = a[ao + row + t2] * (da[dao + row + t2] - weighted);
                        dpre[dpo + row + t2] = g;
                        if (dbi != null) {
                            dbi[dbio + (h * T + t) * T + t2] += g;
                        }
                    }
                    // preatt = q . k * scale: dq += dpreatt k scale, dk += dpreatt q scale
                    int q = (b * T + t) * C3 + h * hs;
                    for (int t2 = 0; t2 <= t; t2++) {
                        int k = (b * T + t2) * C3 + C + h * hs;
                        double g = dpre[dpo + row + t2] * scale;
                        for (int i = 0; i < hs; i++) {
                            dx[dxo + q + i] += x[xo + k + i] * g;
                            dx[dxo + k + i] += x[xo + q + i] * g;
                        }
                    }
                }
            }
        }
    }
}

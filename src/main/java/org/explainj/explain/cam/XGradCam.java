package org.explainj.explain.cam;

import org.explainj.explain.Method;

/** XGrad-CAM (Fu et al. 2020): w_k = Σ_ij (A^k_ij / Σ_ab A^k_ab) · dy^c/dA^k_ij. */
public final class XGradCam extends BaseCam {

    private static final double EPS = 1e-7;

    @Override
    protected Method method() {
        return Method.XGRAD_CAM;
    }

    @Override
    protected float[] channelWeights(LayerData d) {
        int hw = d.area();
        float[] w = new float[d.channels()];
        for (int k = 0; k < w.length; k++) {
            double sumA = channelSum(d.activations(), k, hw) + EPS;
            double wk = 0;
            for (int i = k * hw; i < (k + 1) * hw; i++) {
                wk += d.gradients()[i] * d.activations()[i] / sumA;
            }
            w[k] = (float) wk;
        }
        return w;
    }
}

package org.explainj.explain.cam;

import org.explainj.explain.Method;

/** Grad-CAM (Selvaraju et al. 2017): α_k = mean over i,j of dy^c/dA^k_ij, with y^c the class logit. */
public final class GradCam extends BaseCam {

    @Override
    protected Method method() {
        return Method.GRAD_CAM;
    }

    @Override
    protected float[] channelWeights(LayerData d) {
        float[] w = new float[d.channels()];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) (channelSum(d.gradients(), k, d.area()) / d.area());
        }
        return w;
    }
}

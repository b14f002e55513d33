package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import org.explainj.explain.Method;

/** Grad-CAM (Selvaraju et al. 2017): α_k = mean over i,j of dy^c/dA^k_ij, with y^c the class logit. */
public final class GradCam extends BaseCam {

    @Override
    protected Method method() {
        return Method.GRAD_CAM;
    }

    @Override
    protected NDArray channelWeights(LayerData d) {
        return d.gradients().mean(POSITIONS);
    }
}

package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import org.explainj.explain.Method;

/** XGrad-CAM (Fu et al. 2020): w_k = Σ_ij (A^k_ij / Σ_ab A^k_ab) · dy^c/dA^k_ij. */
public final class XGradCam extends BaseCam {

    private static final float EPS = 1e-7f;

    @Override
    protected Method method() {
        return Method.XGRAD_CAM;
    }

    @Override
    protected NDArray channelWeights(LayerData d) {
        NDArray sumA = d.activations().sum(POSITIONS, true).add(d.scalar(EPS));
        return d.gradients().mul(d.activations()).divi(sumA).sum(POSITIONS);
    }
}

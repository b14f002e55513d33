package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.explainj.explain.Method;

/** LayerCAM (Jiang et al. 2021): map = Σ_k ReLU(dy^c/dA^k) ⊙ A^k; works at shallow layers too. */
public final class LayerCam extends BaseCam {

    @Override
    protected Method method() {
        return Method.LAYER_CAM;
    }

    @Override
    protected NDArray channelWeights(LayerData d) {
        throw new IllegalStateException("LayerCAM weights per position");
    }

    @Override
    protected NDArray pixelWeights(LayerData d) {
        return Activation.relu(d.gradients());
    }
}

package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import org.explainj.explain.Method;

/**
 * HiResCAM (Draelos &amp; Carin 2020): map = Σ_k dy^c/dA^k ⊙ A^k, the gradient multiplied element-wise instead of
 * averaged; faithful to the model for heads that end in global average pooling and a linear layer.
 */
public final class HiResCam extends BaseCam {

    @Override
    protected Method method() {
        return Method.HIRES_CAM;
    }

    @Override
    protected NDArray channelWeights(LayerData d) {
        throw new IllegalStateException("HiResCAM weights per position");
    }

    @Override
    protected NDArray pixelWeights(LayerData d) {
        return d.gradients();
    }
}

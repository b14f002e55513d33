package org.explainj.explain.cam;

import org.explainj.explain.Method;

/** LayerCAM (Jiang et al. 2021): map = Σ_k ReLU(dy^c/dA^k) ⊙ A^k; works at shallow layers too. */
public final class LayerCam extends BaseCam {

    @Override
    protected Method method() {
        return Method.LAYER_CAM;
    }

    @Override
    protected float[] channelWeights(LayerData d) {
        throw new IllegalStateException("LayerCAM weights per position");
    }

    @Override
    protected float[] pixelWeights(LayerData d) {
        float[] g = d.gradients();
        float[] w = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            w[i] = Math.max(g[i], 0f);
        }
        return w;
    }
}

package org.explainj.explain.cam;

import org.explainj.explain.Method;

/**
 * Grad-CAM++ (Chattopadhay et al. 2018), with the exponential of the score replaced by the score itself as in
 * pytorch-grad-cam: α^kc_ij = g² / (2g² + Σ_ab A^k_ab · g³) (0 where g = 0), w_k = Σ_ij α^kc_ij · ReLU(g),
 * with g = dy^c/dA^k_ij.
 */
public final class GradCamPlusPlus extends BaseCam {

    private static final double EPS = 1e-6;

    @Override
    protected Method method() {
        return Method.GRAD_CAM_PLUS_PLUS;
    }

    @Override
    protected float[] channelWeights(LayerData d) {
        int hw = d.area();
        float[] w = new float[d.channels()];
        for (int k = 0; k < w.length; k++) {
            double sumA = channelSum(d.activations(), k, hw);
            double wk = 0;
            for (int i = k * hw; i < (k + 1) * hw; i++) {
                double g = d.gradients()[i];
                if (g == 0) {
                    continue;
                }
                double g2 = g * g;
                double aij = g2 / (2 * g2 + sumA * g2 * g + EPS);
                wk += aij * Math.max(g, 0);
            }
            w[k] = (float) wk;
        }
        return w;
    }
}

package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.explainj.explain.Method;

/**
 * Grad-CAM++ (Chattopadhay et al. 2018), with the exponential of the score replaced by the score itself as in
 * pytorch-grad-cam: α^kc_ij = g² / (2g² + Σ_ab A^k_ab · g³) (0 where g = 0), w_k = Σ_ij α^kc_ij · ReLU(g),
 * with g = dy^c/dA^k_ij.
 */
public final class GradCamPlusPlus extends BaseCam {

    private static final float EPS = 1e-6f;

    @Override
    protected Method method() {
        return Method.GRAD_CAM_PLUS_PLUS;
    }

    @Override
    protected NDArray channelWeights(LayerData d) {
        // only g > 0 contributes (ReLU(g) = 0 elsewhere, where pytorch-grad-cam also sets α to 0 for g = 0): with
        // p = ReLU(g) the terms are p²/(2p² + Σ_ab A · p³ + ε) · p, and 0 where g ≤ 0. Few temporaries, in place.
        NDArray p = Activation.relu(d.gradients());
        NDArray p2 = p.square();
        NDArray sumA = d.activations().sum(POSITIONS, true);
        NDArray denominator = p2.add(p2).addi(p2.mul(p).muli(sumA)).addi(d.scalar(EPS));
        return p2.divi(denominator).muli(p).sum(POSITIONS);
    }
}

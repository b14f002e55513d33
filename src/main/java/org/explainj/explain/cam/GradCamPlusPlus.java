package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
        NDArray g = d.gradients();
        NDArray g2 = g.square();
        NDArray sumA = d.activations().sum(POSITIONS, true);
        NDArray aij = g2.div(g2.add(g2).add(sumA.mul(g2.mul(g))).add(d.scalar(EPS)));
        aij = NDArrays.where(g.neq(d.scalar(0f)), aij, d.scalar(0f));
        return aij.mul(Activation.relu(g)).sum(POSITIONS);
    }
}

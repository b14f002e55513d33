package org.explainj.explain;

import ai.djl.ndarray.NDArray;

/**
 * How the gradient passes a ReLU on the way back, given its input z and the gradient g arriving at its output.
 * <ul>
 * <li>{@link #VANILLA}: g·[z &gt; 0] — the true gradient (Simonyan et al. 2013);</li>
 * <li>{@link #GUIDED}: max(g, 0)·[z &gt; 0] — guided backpropagation (Springenberg et al. 2014);</li>
 * <li>{@link #DECONVNET}: max(g, 0) — the deconvnet (Zeiler &amp; Fergus 2013).</li>
 * </ul>
 * Captum's GuidedBackprop and Deconvolution apply the same rules to every nn.ReLU module.
 */
public enum ReluRule {
    VANILLA, GUIDED, DECONVNET;

    /**
     * The gradient at the ReLU's input z, from the gradient g at its output t = relu(z). [z &gt; 0] is computed as
     * sign(t) (t ≥ 0), one array instead of a comparison and a conversion; g, a fresh gradient array, is
     * updated in place.
     */
    NDArray apply(NDArray z, NDArray t, NDArray g) {
        switch (this) {
            case VANILLA:
                return g.muli(t.sign());
            case GUIDED:
                return g.maximum(0f).muli(t.sign());
            case DECONVNET:
                return g.maximum(0f);
            default:
                throw new IllegalStateException(name());
        }
    }
}

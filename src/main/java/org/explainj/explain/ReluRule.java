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

    /** The gradient at the ReLU's input. */
    NDArray apply(NDArray z, NDArray g) {
        switch (this) {
            case VANILLA:
                return g.mul(z.gt(0).toType(g.getDataType(), false));
            case GUIDED:
                return g.maximum(0f).mul(z.gt(0).toType(g.getDataType(), false));
            case DECONVNET:
                return g.maximum(0f);
            default:
                throw new IllegalStateException(name());
        }
    }
}

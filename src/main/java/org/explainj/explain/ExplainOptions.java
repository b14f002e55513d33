package org.explainj.explain;

/**
 * Method options.
 *
 * @param layer  module path for layer methods (null: the model's default layer)
 * @param signed Saliency: keep the sign of the gradient (the value of largest magnitude over channels) instead of
 *               |gradient|
 * @param relu   CAM methods: apply the final ReLU (true in the papers); false keeps negative evidence
 */
public record ExplainOptions(String layer, boolean signed, boolean relu) {

    public static ExplainOptions defaults() {
        return new ExplainOptions(null, false, true);
    }

    public ExplainOptions withLayer(String l) {
        return new ExplainOptions(l, signed, relu);
    }

    public ExplainOptions withSigned(boolean s) {
        return new ExplainOptions(layer, s, relu);
    }

    public ExplainOptions withRelu(boolean r) {
        return new ExplainOptions(layer, signed, r);
    }
}

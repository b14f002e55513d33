package org.explainj.explain.gradient;

import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Vanilla saliency (Simonyan, Vedaldi &amp; Zisserman 2013): the gradient of the class score (logit) with respect to
 * the input, |·| and the maximum over input channels. With {@code signed}, each pixel keeps the signed gradient of
 * its channel of largest magnitude. Cost: one forward and one full backward.
 */
public final class Saliency implements Explainer {

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        GradientPass.Result g = GradientPass.inputGradient(model, input, target);
        int hw = input.height() * input.width();
        float[] map = new float[hw];
        for (int i = 0; i < hw; i++) {
            float best = g.gradient()[i];
            for (int c = 1; c < input.channels(); c++) {
                float v = g.gradient()[c * hw + i];
                if (Math.abs(v) > Math.abs(best)) {
                    best = v;
                }
            }
            map[i] = options.signed() ? best : Math.abs(best);
        }
        return Attribution.of(map, input.width(), input.height(), Method.SALIENCY, null, g.targetClass(),
                g.scores());
    }
}

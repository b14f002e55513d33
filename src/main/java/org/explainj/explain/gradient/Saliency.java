package org.explainj.explain.gradient;

import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Vanilla saliency (Simonyan, Vedaldi &amp; Zisserman 2013): the gradient of the class score (logit) with respect to
 * the input, |·| and the maximum over input channels. Cost: one forward and one full backward.
 */
public final class Saliency extends InputGradientMethod {

    @Override
    protected Method method() {
        return Method.SALIENCY;
    }

    @Override
    protected GradientPass.Result gradient(TorchScriptModel model, ModelInput input, Target target) {
        return GradientPass.inputGradient(model, input, target);
    }
}

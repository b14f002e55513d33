package org.explainj.explain.gradient;

import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.ReluRule;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * The deconvnet (Zeiler &amp; Fergus 2013): at every ReLU only positive gradients pass, whatever the forward input
 * was. Cost: one forward and about one backward.
 */
public final class Deconvnet extends InputGradientMethod {

    @Override
    protected Method method() {
        return Method.DECONVNET;
    }

    @Override
    protected GradientPass.Result gradient(TorchScriptModel model, ModelInput input, Target target) {
        return GradientPass.inputGradient(model, input, target, ReluRule.DECONVNET);
    }
}

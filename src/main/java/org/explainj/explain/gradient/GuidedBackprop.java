package org.explainj.explain.gradient;

import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.ReluRule;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Guided backpropagation (Springenberg et al. 2014): at every ReLU only positive gradients pass, and only where
 * the forward input was positive. Applied to every ReLU call of the model, modules and functional calls alike.
 * Cost: one forward and about one backward.
 */
public final class GuidedBackprop extends InputGradientMethod {

    @Override
    protected Method method() {
        return Method.GUIDED_BACKPROP;
    }

    @Override
    protected GradientPass.Result gradient(TorchScriptModel model, ModelInput input, Target target) {
        return GradientPass.inputGradient(model, input, target, ReluRule.GUIDED);
    }
}

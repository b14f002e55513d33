package org.explainj.explain.gradient;

import org.explainj.explain.Options;
import org.explainj.explain.Attribution;
import org.explainj.explain.ChannelReduction;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Methods whose attribution is an input gradient (plain or with a ReLU rule), shown as one map: per pixel the
 * channel value of largest magnitude, as |·| (default) or signed. A variant only says how it gets the gradient.
 */
abstract class InputGradientMethod implements Explainer {

    protected abstract Method method();

    protected abstract GradientPass.Result gradient(TorchScriptModel model, ModelInput input, Target target);

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        GradientPass.Result g = gradient(model, input, target);
        return Attribution.of(ChannelReduction.largestMagnitude(g.gradient(), input.channels(),
                input.grid().size(), options.get(Options.SIGNED)), input.grid(), method(), null, g.targetClass(), g.scores());
    }
}

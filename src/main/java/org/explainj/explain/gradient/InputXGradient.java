package org.explainj.explain.gradient;

import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/** Input × Gradient (Shrikumar et al. 2016): x ⊙ ∂y/∂x. Cost: one forward and one backward. */
public final class InputXGradient extends InputGradientMethod {

    @Override
    protected Method method() {
        return Method.INPUT_X_GRADIENT;
    }

    @Override
    protected GradientPass.Result gradient(TorchScriptModel model, ModelInput input, Target target) {
        GradientPass.Result g = GradientPass.inputGradient(model, input, target);
        float[] x = input.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * g.gradient()[i];
        }
        return new GradientPass.Result(out, g.targetClass(), g.scores());
    }
}

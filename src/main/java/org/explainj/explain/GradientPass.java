package org.explainj.explain;

import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/** Input gradients of the target score: the building block of the gradient methods. */
public final class GradientPass {

    /** d(score)/d(input) in the input's NCHW layout, with the target it was computed for. */
    public record Result(float[] gradient, int targetClass, float[] scores) {
    }

    private GradientPass() {
    }

    public static Result inputGradient(TorchScriptModel model, ModelInput input, Target target) {
        try (ModelPass pass = ModelPass.run(model, input, target, null, false, true)) {
            pass.backwardTarget(false);
            return new Result(pass.input().getGradient().toFloatArray(), pass.targetClass(), pass.scores());
        }
    }
}

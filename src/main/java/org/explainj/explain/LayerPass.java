package org.explainj.explain;

import ai.djl.ndarray.NDArray;
import org.explainj.model.LayerException;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/** A layer's activation and its gradient for the target score: the building block of the CAM methods. */
public final class LayerPass {

    /** A and dY/dA (batch dropped, C-order) with the activation's full shape. */
    public record Result(float[] activations, float[] gradients, long[] shape, int targetClass, float[] scores) {
    }

    private LayerPass() {
    }

    public static Result activationAndGradient(TorchScriptModel model, ModelInput input, Target target,
                                               String layer) {
        return activationAndGradient(model, input, target, layer, true);
    }

    /** As above; without {@code withGradient} only A is read (no backward) and the gradients are null. */
    public static Result activationAndGradient(TorchScriptModel model, ModelInput input, Target target,
                                               String layer, boolean withGradient) {
        boolean split = model.usesPreparedMethods(layer);
        try (ModelPass pass = split ? ModelPass.runPrepared(model, input, target)
                : ModelPass.run(model, input, target, layer, false, false)) {
            NDArray a = pass.layerActivation(layer);
            if (!withGradient) {
                return new Result(a.toFloatArray(), null, a.getShape().getShape(), pass.targetClass(),
                        pass.scores());
            }
            pass.backwardTarget(false);
            return new Result(a.toFloatArray(), a.getGradient().toFloatArray(), a.getShape().getShape(),
                    pass.targetClass(), pass.scores());
        }
    }

    /** The given layer, or the model's default layer for layer methods. */
    public static String layerOrDefault(TorchScriptModel model, ModelInput input, String layer, Method method) {
        if (layer != null && !layer.isBlank()) {
            return layer.trim();
        }
        if (model.usesPreparedMethods(null)) {
            return TorchScriptModel.PREPARED_FEATURES;
        }
        String d = model.defaultCamLayer(input.shape());
        if (d == null) {
            throw new LayerException(method + " needs a layer and none could be chosen automatically for "
                    + model.source().getFileName() + ". Give one, e.g. layer=layer4. Layers: "
                    + String.join(", ", model.layerPaths().subList(0, Math.min(12, model.layerPaths().size())))
                    + (model.layerPaths().size() > 12 ? "..." : ""));
        }
        return d;
    }
}

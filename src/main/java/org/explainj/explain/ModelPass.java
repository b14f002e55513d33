package org.explainj.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.explainj.model.GradScope;
import org.explainj.model.LayerException;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * One forward pass with autograd for one explanation: owns every native array it makes (closed together), knows
 * the target score, and runs backward passes from it. Holds the model's lock while open.
 */
final class ModelPass implements AutoCloseable {

    private final TorchScriptModel model;
    private final NDManager manager;
    private final GradScope grad;
    private final NDArray input;
    private final NDList outputs;
    private final float[] scores;
    private final int targetClass;
    private Target target;
    private boolean locked;

    private ModelPass(TorchScriptModel model, ModelInput in, Target target, String layer, boolean reluStages,
                      boolean inputGradient, boolean preparedSplit) {
        this.model = model;
        model.lock().lock();
        locked = true;
        this.manager = model.newManager();
        this.grad = GradScope.open();
        try {
            input = manager.create(in.data(), new Shape(in.shape()));
            if (inputGradient) {
                input.setRequiresGradient(true);
            }
            outputs = preparedSplit ? runSplit(model, input) : model.run(input, layer, reluStages);
            scores = TargetScores.classScores(outputs.get(0), target);
            for (float v : scores) {
                if (!Float.isFinite(v)) {
                    throw new MethodException("The model's output contains NaN or infinite values "
                            + Arrays.toString(Arrays.copyOf(scores, Math.min(scores.length, 10)))
                            + ". Check the input scaling (scale, mean, std).");
                }
            }
            targetClass = target.resolve(scores, model.labels());
            this.target = target;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Forward pass; {@code layer} may be null; {@code inputGradient} makes the input a leaf that takes grad. */
    static ModelPass run(TorchScriptModel model, ModelInput in, Target target, String layer, boolean reluStages,
                         boolean inputGradient) {
        return new ModelPass(model, in, target, layer, reluStages, inputGradient, false);
    }

    /**
     * Forward pass through a prepared model's own methods: A = features(x) made a leaf, output = head(A); the
     * tap is A.
     */
    static ModelPass runPrepared(TorchScriptModel model, ModelInput in, Target target) {
        return new ModelPass(model, in, target, null, false, false, true);
    }

    private static NDList runSplit(TorchScriptModel model, NDArray x) {
        NDArray a = model.runMethod(TorchScriptModel.PREPARED_FEATURES, x).stopGradient();
        a.setRequiresGradient(true);
        return new NDList(model.runMethod(TorchScriptModel.PREPARED_HEAD, a), a);
    }

    NDManager manager() {
        return manager;
    }

    NDArray input() {
        return input;
    }

    /** The tapped tensors (after the model output). */
    NDList taps() {
        return outputs.subNDList(1);
    }

    /** The last output of the tapped layer (the layer's latest call when it runs more than once). */
    NDArray layerActivation(String layer) {
        NDList taps = taps();
        if (taps.isEmpty()) {
            throw new LayerException("The layer " + layer + " did not run in the model's forward pass (it is "
                    + "defined but not called). Choose a layer that the forward uses.");
        }
        return taps.get(taps.size() - 1);
    }

    float[] scores() {
        return scores;
    }

    int targetClass() {
        return targetClass;
    }

    /**
     * Back-propagates the target score: the class logit, or for a segmentation output the class's logits summed
     * over all pixels.
     */
    void backwardTarget(boolean keepGraph) {
        NDArray score = TargetScores.batchSum(outputs.get(0), target, targetClass);
        TorchScriptModel.backward(score, manager.ones(score.getShape()), keepGraph);
    }

    @Override
    public void close() {
        if (grad != null) {
            grad.close();
        }
        if (manager != null) {
            manager.close();
        }
        if (locked) {
            model.lock().unlock();
            locked = false;
        }
    }
}

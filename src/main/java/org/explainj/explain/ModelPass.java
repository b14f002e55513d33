package org.explainj.explain;

import org.explainj.model.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.explainj.model.GradScope;
import org.explainj.model.LayerException;
import org.explainj.model.TapProtocol;
import org.explainj.model.Autograd;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * One forward pass with autograd for one explanation: owns every native array it makes (closed together), knows
 * the target score, and runs backward passes from it. Holds the model's lock while open. Without a layer and ReLU
 * stages it runs the model's own forward; with them, the prepared copy (checked equal to the model first).
 */
final class ModelPass implements AutoCloseable {

    private final TorchScriptModel model;
    private final NDManager manager;
    private final GradScope grad;
    private final NDArray input;
    private final NDArray output;
    private final TapProtocol.Result taps;
    private final float[] scores;
    private final int targetClass;
    private Target target;
    private boolean locked;

    private enum Route { MODEL, COPY, PREPARED_METHODS }

    private ModelPass(TorchScriptModel model, ModelInput in, Target target, String layer, boolean reluStages,
                      boolean attention, boolean inputGradient, Route route) {
        this.model = model;
        model.lock().lock();
        locked = true;
        this.manager = model.newManager();
        this.grad = GradScope.open();
        try {
            input = HostArrays.floats(manager, in.data(), new Shape(in.shape()));
            if (inputGradient) {
                input.setRequiresGradient(true);
            }
            switch (route) {
                case MODEL -> {
                    output = model.forward(input, target.output());
                    taps = null;
                }
                case COPY -> {
                    TorchScriptModel.Tapped t = model.run(input, layer, reluStages, attention, target.output());
                    output = t.output();
                    taps = t.taps();
                }
                default -> {
                    NDArray a = model.runMethod(TorchScriptModel.PREPARED_FEATURES, input).stopGradient();
                    a.setRequiresGradient(true);
                    output = model.runMethod(TorchScriptModel.PREPARED_HEAD, a);
                    taps = new TapProtocol.Result(List.of(output), List.of(new TapProtocol.Record(
                            TapProtocol.Kind.LAYER_LEAF, 0, new long[0], List.of(a))));
                }
            }
            scores = TargetScores.classScores(output, target);
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

    /**
     * Forward pass; {@code layer} may be null; {@code inputGradient} makes the input a leaf that takes grad. With
     * neither a layer nor ReLU stages this is the model's own forward.
     */
    static ModelPass run(TorchScriptModel model, ModelInput in, Target target, String layer, boolean reluStages,
                         boolean inputGradient) {
        Route route = layer == null && !reluStages ? Route.MODEL : Route.COPY;
        return new ModelPass(model, in, target, layer, reluStages, false, inputGradient, route);
    }

    /** Forward pass through the prepared copy recording the attention probabilities (softmax outputs). */
    static ModelPass runRecordingAttention(TorchScriptModel model, ModelInput in, Target target) {
        return new ModelPass(model, in, target, null, false, true, false, Route.COPY);
    }

    /**
     * Forward pass through a prepared model's own methods: A = features(x) made a leaf, output = head(A); the
     * tap is A.
     */
    static ModelPass runPrepared(TorchScriptModel model, ModelInput in, Target target) {
        return new ModelPass(model, in, target, null, false, false, false, Route.PREPARED_METHODS);
    }

    NDManager manager() {
        return manager;
    }

    NDArray input() {
        return input;
    }

    /** The tap records (null for a run of the model's own forward). */
    TapProtocol.Result taps() {
        return taps;
    }

    /** The last output of the tapped layer (the layer's latest call when it runs more than once). */
    NDArray layerActivation(String layer) {
        List<TapProtocol.Record> cuts = taps == null ? List.of() : taps.of(TapProtocol.Kind.LAYER_LEAF);
        if (cuts.isEmpty()) {
            throw new LayerException("The layer " + layer + " did not run in the model's forward pass (it is "
                    + "defined but not called). Choose a layer that the forward uses.");
        }
        return cuts.get(cuts.size() - 1).values().get(0);
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
        NDArray score = TargetScores.batchSum(output, target, targetClass);
        Autograd.backward(score, manager.ones(score.getShape()), keepGraph);
    }

    /** {@link #backwardTarget}, or false (nothing done) when the score does not depend on anything tapped. */
    boolean backwardTargetIfConnected(boolean keepGraph) {
        NDArray score = TargetScores.batchSum(output, target, targetClass);
        return Autograd.backwardIfConnected(score, manager.ones(score.getShape()), keepGraph);
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
